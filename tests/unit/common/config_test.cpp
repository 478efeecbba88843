// Config: layering (defaults < file < env < flag), file parsing, typed
// accessors and secret masking. The environment is injected, never read.
#include <catch2/catch.hpp>

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "promptsales/common/config.hpp"
#include "promptsales/common/errors.hpp"
#include "temp_dir.hpp"

using promptsales::Config;
using promptsales::ConfigError;
using promptsales::ConfigSource;
using promptsales::mask_url_password;
using promptsales::test::TempDir;

namespace {

// EnvLookup is a plain function pointer: the fake reads this map.
std::map<std::string, std::string>& fake_env() {
  static std::map<std::string, std::string> env;
  return env;
}

std::optional<std::string> lookup(const char* name) {
  const auto it = fake_env().find(name);
  if (it == fake_env().end()) return std::nullopt;
  return it->second;
}

/// Sets the fake environment for the lifetime of one test.
struct EnvScope {
  explicit EnvScope(std::map<std::string, std::string> values) { fake_env() = std::move(values); }
  ~EnvScope() { fake_env().clear(); }
};

std::string message_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const ConfigError& e) {
    return e.what();
  }
  FAIL("expected a ConfigError");
  return {};
}

}  // namespace

TEST_CASE("config: every key starts at its default", "[config]") {
  EnvScope env({});
  const auto c = Config::load("", lookup);
  for (const auto& key : promptsales::config_keys()) {
    const auto& v = c.get(key.name);
    CHECK(v.value == std::string(key.default_value));
    CHECK(v.source == ConfigSource::default_value);
    CHECK(v.origin.empty());
  }
  CHECK(c.str("db_pool_size") == "16");
  CHECK(c.values().size() == promptsales::config_keys().size());
}

TEST_CASE("config: key table is consistent", "[config]") {
  std::set<std::string_view> names, envs;
  for (const auto& key : promptsales::config_keys()) {
    CHECK(names.insert(key.name).second);
    CHECK(envs.insert(key.env).second);
    CHECK(key.env.rfind("PROMPTSALES_", 0) == 0);
    CHECK_FALSE(key.description.empty());
  }
  CHECK(names.count("database_url") == 1);
}

TEST_CASE("config: layers override in order defaults < file < env < flag", "[config]") {
  TempDir dir;
  const auto file = dir.write("promptsales.conf",
                              "# comment\n"
                              "\n"
                              "db_pool_size = 7\n"
                              "  log_level=debug  \n"
                              "listen = \"0.0.0.0:9000\"\n"
                              "redis_timeout_ms = 150\n");
  EnvScope env({{"PROMPTSALES_LOG_LEVEL", "warn"}, {"PROMPTSALES_REDIS_TIMEOUT_MS", "300"}});
  auto c = Config::load(file, lookup);

  // default
  CHECK(c.get("worker_threads").source == ConfigSource::default_value);
  // file
  CHECK(c.str("db_pool_size") == "7");
  CHECK(c.get("db_pool_size").source == ConfigSource::file);
  CHECK(c.get("db_pool_size").origin == file);
  CHECK(c.str("listen") == "0.0.0.0:9000");  // quotes stripped
  // env beats file
  CHECK(c.str("log_level") == "warn");
  CHECK(c.get("log_level").source == ConfigSource::environment);
  CHECK(c.get("log_level").origin == "PROMPTSALES_LOG_LEVEL");
  CHECK(c.str("redis_timeout_ms") == "300");

  // flag beats env
  c.set_flag("log_level", "error");
  CHECK(c.str("log_level") == "error");
  CHECK(c.get("log_level").source == ConfigSource::flag);
  CHECK(c.get("log_level").origin == "--log_level");
  // flag beats file
  c.set_flag("db_pool_size", "3");
  CHECK(c.integer("db_pool_size", 1, 100) == 3);
}

TEST_CASE("config: env without a file, and an empty env value still wins", "[config]") {
  EnvScope env({{"PROMPTSALES_REDIS_URL", ""}, {"PROMPTSALES_DB_POOL_SIZE", "4"}});
  const auto c = Config::load("", lookup);
  CHECK(c.str("redis_url").empty());
  CHECK(c.get("redis_url").source == ConfigSource::environment);
  CHECK(c.integer("db_pool_size", 1, 64) == 4);
}

TEST_CASE("config: PROMPTSALES_CONFIG names the file and an explicit file wins over it", "[config]") {
  TempDir dir;
  const auto from_env = dir.write("env.conf", "db_pool_size = 5\n");
  const auto explicit_file = dir.write("explicit.conf", "db_pool_size = 6\n");
  EnvScope env({{"PROMPTSALES_CONFIG", from_env}});
  CHECK(Config::load("", lookup).str("db_pool_size") == "5");
  CHECK(Config::load(explicit_file, lookup).str("db_pool_size") == "6");
}

TEST_CASE("config: file errors name the file and the line", "[config]") {
  TempDir dir;
  EnvScope env({});
  SECTION("malformed line") {
    const auto file = dir.write("bad.conf", "# ok\nlog_level = info\nthis line has no equals sign\n");
    const auto msg = message_of([&] { Config::load(file, lookup); });
    CHECK_THAT(msg, Catch::Contains(file + ":3"));
    CHECK_THAT(msg, Catch::Contains("key = value"));
  }
  SECTION("unknown key") {
    const auto file = dir.write("unknown.conf", "log_level = info\n\ndatabase_ulr = postgresql://x/y\n");
    const auto msg = message_of([&] { Config::load(file, lookup); });
    CHECK_THAT(msg, Catch::Contains(file + ":3"));
    CHECK_THAT(msg, Catch::Contains("database_ulr"));
  }
  SECTION("unreadable file") {
    const auto missing = dir.str() + "/does-not-exist.conf";
    const auto msg = message_of([&] { Config::load(missing, lookup); });
    CHECK_THAT(msg, Catch::Contains(missing));
  }
  SECTION("missing file named by PROMPTSALES_CONFIG") {
    const auto missing = dir.str() + "/nope.conf";
    fake_env()["PROMPTSALES_CONFIG"] = missing;
    CHECK_THAT(message_of([&] { Config::load("", lookup); }), Catch::Contains(missing));
  }
}

TEST_CASE("config: unknown keys are refused by set_flag and get", "[config]") {
  EnvScope env({});
  auto c = Config::load("", lookup);
  CHECK_THAT(message_of([&] { c.set_flag("no_such_key", "1"); }), Catch::Contains("no_such_key"));
  CHECK_THAT(message_of([&] { c.get("no_such_key"); }), Catch::Contains("no_such_key"));
  CHECK_THROWS_AS(c.display_value("no_such_key"), ConfigError);
}

TEST_CASE("config: integer accessor", "[config]") {
  EnvScope env({{"PROMPTSALES_DB_POOL_SIZE", "12abc"}, {"PROMPTSALES_IO_THREADS", "500"}});
  auto c = Config::load("", lookup);

  SECTION("not an integer: names key, value and source") {
    const auto msg = message_of([&] { c.integer("db_pool_size", 1, 100); });
    CHECK_THAT(msg, Catch::Contains("db_pool_size"));
    CHECK_THAT(msg, Catch::Contains("'12abc'"));
    CHECK_THAT(msg, Catch::Contains("env"));
    CHECK_THAT(msg, Catch::Contains("PROMPTSALES_DB_POOL_SIZE"));
  }
  SECTION("out of range: names key, value, range and source") {
    const auto msg = message_of([&] { c.integer("io_threads", 0, 256); });
    CHECK_THAT(msg, Catch::Contains("io_threads"));
    CHECK_THAT(msg, Catch::Contains("500"));
    CHECK_THAT(msg, Catch::Contains("0..256"));
    CHECK_THAT(msg, Catch::Contains("PROMPTSALES_IO_THREADS"));
  }
  SECTION("bounds are inclusive") {
    CHECK(c.integer("io_threads", 500, 500) == 500);
    CHECK_THROWS_AS(c.integer("io_threads", 501, 600), ConfigError);
    CHECK_THROWS_AS(c.integer("io_threads", 0, 499), ConfigError);
  }
  SECTION("empty, blank, float and overflow are refused") {
    for (const char* bad : {"", "1.5", "ten", "99999999999999999999999"}) {
      c.set_flag("db_pool_size", bad);
      CHECK_THROWS_AS(c.integer("db_pool_size", 0, 1000), ConfigError);
    }
  }
  SECTION("negative values work when allowed") {
    c.set_flag("db_pool_size", "-3");
    CHECK(c.integer("db_pool_size", -10, 10) == -3);
  }
  SECTION("a flag value names the flag as its source") {
    c.set_flag("db_pool_size", "x");
    const auto msg = message_of([&] { c.integer("db_pool_size", 1, 100); });
    CHECK_THAT(msg, Catch::Contains("flag"));
    CHECK_THAT(msg, Catch::Contains("--db_pool_size"));
  }
}

TEST_CASE("config: typed errors for a file value name the file", "[config]") {
  TempDir dir;
  const auto file = dir.write("c.conf", "cache_enabled = perhaps\n");
  EnvScope env({});
  const auto c = Config::load(file, lookup);
  const auto msg = message_of([&] { c.boolean("cache_enabled"); });
  CHECK_THAT(msg, Catch::Contains("cache_enabled"));
  CHECK_THAT(msg, Catch::Contains("'perhaps'"));
  CHECK_THAT(msg, Catch::Contains("file"));
  CHECK_THAT(msg, Catch::Contains(file));
}

TEST_CASE("config: boolean accessor", "[config]") {
  EnvScope env({});
  auto c = Config::load("", lookup);
  for (const char* yes : {"true", "TRUE", "True", "1", "yes", "on", "ON"}) {
    c.set_flag("cache_enabled", yes);
    CHECK(c.boolean("cache_enabled"));
  }
  for (const char* no : {"false", "False", "0", "no", "off", "OFF"}) {
    c.set_flag("cache_enabled", no);
    CHECK_FALSE(c.boolean("cache_enabled"));
  }
  for (const char* bad : {"", "2", "yep", "t"}) {
    c.set_flag("cache_enabled", bad);
    CHECK_THROWS_AS(c.boolean("cache_enabled"), ConfigError);
  }
}

TEST_CASE("config: millis accessor", "[config]") {
  EnvScope env({});
  auto c = Config::load("", lookup);
  CHECK(c.millis("db_pool_timeout_ms") == std::chrono::milliseconds(2000));
  c.set_flag("db_pool_timeout_ms", "0");
  CHECK(c.millis("db_pool_timeout_ms") == std::chrono::milliseconds(0));
  c.set_flag("db_pool_timeout_ms", "-1");
  CHECK_THROWS_AS(c.millis("db_pool_timeout_ms"), ConfigError);
  c.set_flag("db_pool_timeout_ms", "3000000000");
  CHECK_THROWS_AS(c.millis("db_pool_timeout_ms"), ConfigError);
}

TEST_CASE("config: set_flag refuses a password on the command line", "[config][secret]") {
  EnvScope env({});
  auto c = Config::load("", lookup);

  SECTION("password in a URL") {
    const auto msg = message_of([&] { c.set_flag("database_url", "postgresql://app:s3cret@db:5432/promptsales"); });
    CHECK_THAT(msg, Catch::Contains("database_url"));
    CHECK_THAT(msg, Catch::Contains("PROMPTSALES_DATABASE_URL"));
    CHECK_THAT(msg, !Catch::Contains("s3cret"));  // the error must not echo it
    CHECK(c.get("database_url").source == ConfigSource::default_value);
  }
  SECTION("password in a Redis URL") {
    CHECK_THROWS_AS(c.set_flag("redis_url", "redis://:s3cret@cache:6379/0"), ConfigError);
  }
  SECTION("password in a libpq key/value string") {
    CHECK_THROWS_AS(c.set_flag("database_url", "host=db dbname=promptsales password=s3cret"), ConfigError);
  }
  SECTION("URLs without a password are accepted") {
    c.set_flag("database_url", "postgresql://app@db:5432/promptsales");
    CHECK(c.str("database_url") == "postgresql://app@db:5432/promptsales");
    CHECK(c.get("database_url").source == ConfigSource::flag);
    c.set_flag("database_url", "host=db dbname=promptsales user=app");
    CHECK(c.str("database_url") == "host=db dbname=promptsales user=app");
  }
  SECTION("non-secret keys take any value") {
    c.set_flag("listen", "user:pw@0.0.0.0:80");
    CHECK(c.str("listen") == "user:pw@0.0.0.0:80");
  }
}

TEST_CASE("config: display_value masks secrets", "[config][secret]") {
  EnvScope env({{"PROMPTSALES_DATABASE_URL", "postgresql://app:s3cret@db:5432/promptsales?sslmode=require"},
                {"PROMPTSALES_REDIS_URL", "redis://:r3dis@cache:6379/0"}});
  auto c = Config::load("", lookup);
  CHECK(c.display_value("database_url") == "postgresql://app:****@db:5432/promptsales?sslmode=require");
  CHECK(c.display_value("redis_url") == "redis://:****@cache:6379/0");
  // The stored value itself is intact.
  CHECK(c.str("database_url") == "postgresql://app:s3cret@db:5432/promptsales?sslmode=require");

  SECTION("key/value form") {
    fake_env()["PROMPTSALES_DATABASE_URL"] = "host=db password=s3cret dbname=promptsales";
    const auto kv = Config::load("", lookup);
    CHECK(kv.display_value("database_url") == "host=db password=**** dbname=promptsales");
  }
  SECTION("a secret that is not a URL is fully masked") {
    fake_env()["PROMPTSALES_REDIS_URL"] = "justapassword";
    const auto plain = Config::load("", lookup);
    CHECK(plain.display_value("redis_url") == "****");
  }
  SECTION("an empty secret stays empty") {
    fake_env()["PROMPTSALES_REDIS_URL"] = "";
    CHECK(Config::load("", lookup).display_value("redis_url").empty());
  }
  SECTION("URLs without password are shown as is; non-secrets as is") {
    c.set_flag("database_url", "postgresql://app@db/promptsales");
    CHECK(c.display_value("database_url") == "postgresql://app@db/promptsales");
    c.set_flag("log_level", "debug");
    CHECK(c.display_value("log_level") == "debug");
  }
}

TEST_CASE("mask_url_password", "[config][secret]") {
  CHECK(mask_url_password("postgresql://u:p@h/db") == "postgresql://u:****@h/db");
  CHECK(mask_url_password("postgres://user:pa%40ss@host:5432/db") == "postgres://user:****@host:5432/db");
  CHECK(mask_url_password("redis://:pw@127.0.0.1:6379/0") == "redis://:****@127.0.0.1:6379/0");
  CHECK(mask_url_password("postgresql://u@h/db") == "postgresql://u@h/db");
  CHECK(mask_url_password("postgresql://h:5432/db") == "postgresql://h:5432/db");
  CHECK(mask_url_password("") == "");
  CHECK(mask_url_password("host=h password=secret dbname=d") == "host=h password=**** dbname=d");
  CHECK(mask_url_password("host=h password = 'se cret' dbname=d") == "host=h password = **** dbname=d");
  CHECK(mask_url_password("postgresql://u@h/db?password=secret") == "postgresql://u@h/db?password=****");
  // Never leaks the password text.
  for (const char* url : {"postgresql://u:topsecret@h/db", "host=h password=topsecret",
                          "postgresql://u@h/db?sslmode=require&password=topsecret"}) {
    CHECK_THAT(mask_url_password(url), !Catch::Contains("topsecret"));
  }
}

TEST_CASE("config: source names", "[config]") {
  CHECK(promptsales::to_string(ConfigSource::default_value) == "default");
  CHECK(promptsales::to_string(ConfigSource::file) == "file");
  CHECK(promptsales::to_string(ConfigSource::environment) == "env");
  CHECK(promptsales::to_string(ConfigSource::flag) == "flag");
}
