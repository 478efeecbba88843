// Outbound and S3 settings from the configuration table.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include "promptsales/common/config.hpp"
#include "promptsales/common/errors.hpp"
#include "promptsales/common/outbound/s3_settings.hpp"
#include "promptsales/common/outbound/settings.hpp"
#include "temp_dir.hpp"

using namespace promptsales;
using namespace std::chrono_literals;

namespace {

std::map<std::string, std::string>& fake_env() {
  static std::map<std::string, std::string> env;
  return env;
}

std::optional<std::string> lookup(const char* name) {
  auto it = fake_env().find(name);
  if (it == fake_env().end()) return std::nullopt;
  return it->second;
}

Config load(std::map<std::string, std::string> env, const std::string& file = {}) {
  fake_env() = std::move(env);
  return Config::load(file, &lookup);
}

const std::map<std::string, std::string> kS3 = {{"PROMPTSALES_S3_ENDPOINT", "http://127.0.0.1:9000/"},
                                                 {"PROMPTSALES_S3_BUCKET", "backups"},
                                                 {"PROMPTSALES_S3_ACCESS_KEY_ID", "AKID"}};

}  // namespace

TEST_CASE("outbound settings: defaults follow the requirements", "[outbound][config]") {
  const auto s = outbound::ClientSettings::from_config(load({}));
  CHECK(s.timeout == 1000ms);
  CHECK(s.attempts == 3);
  CHECK(s.breaker.failure_threshold == 5);
  CHECK(s.breaker.cooldown == 30000ms);
  CHECK(s.ca_file.empty());
}

TEST_CASE("outbound settings: a bad value names its key", "[outbound][config]") {
  CHECK_THROWS_WITH(outbound::ClientSettings::from_config(load({{"PROMPTSALES_OUTBOUND_ATTEMPTS", "0"}})),
                    Catch::Contains("outbound_attempts"));
}

TEST_CASE("s3 settings: secret from the environment", "[outbound][s3][config]") {
  auto env = kS3;
  env["PROMPTSALES_S3_SECRET_ACCESS_KEY"] = "s3cr3t";
  const auto s = outbound::S3Settings::from_config(load(env));
  CHECK(s.endpoint == "http://127.0.0.1:9000");
  CHECK(s.bucket == "backups");
  CHECK(s.region == "us-east-1");
  CHECK(s.secret_access_key == "s3cr3t");
  CHECK(s.part_size == 16u << 20);
}

TEST_CASE("s3 settings: secret from a file, and the file's problems", "[outbound][s3][config]") {
  promptsales::test::TempDir dir;
  const auto path = (dir.path() / "secret").string();
  auto env = kS3;
  env["PROMPTSALES_S3_SECRET_ACCESS_KEY_FILE"] = path;
  SECTION("one line, trailing newline dropped") {
    std::ofstream(path) << "from-file\n";
    CHECK(outbound::S3Settings::from_config(load(env)).secret_access_key == "from-file");
  }
  SECTION("missing file") {
    CHECK_THROWS_WITH(outbound::S3Settings::from_config(load(env)),
                      Catch::Contains("s3_secret_access_key_file") && Catch::Contains("cannot read"));
  }
  SECTION("both the variable and the file") {
    std::ofstream(path) << "x\n";
    env["PROMPTSALES_S3_SECRET_ACCESS_KEY"] = "y";
    CHECK_THROWS_WITH(outbound::S3Settings::from_config(load(env)), Catch::Contains("give only one"));
  }
}

TEST_CASE("s3 settings: refuses the secret in a config file and names missing keys", "[outbound][s3][config]") {
  promptsales::test::TempDir dir;
  const auto file = (dir.path() / "promptsales.conf").string();
  std::ofstream(file) << "s3_secret_access_key = in-a-file\n";
  CHECK_THROWS_WITH(outbound::S3Settings::from_config(load(kS3, file)),
                    Catch::Contains("must not be written in a config file"));
  CHECK_THROWS_WITH(outbound::S3Settings::from_config(load({{"PROMPTSALES_S3_SECRET_ACCESS_KEY", "x"}})),
                    Catch::Contains("s3_endpoint is not set"));
  auto env = kS3;
  env["PROMPTSALES_S3_SECRET_ACCESS_KEY"] = "x";
  env["PROMPTSALES_S3_BUCKET"] = "Bad_Bucket";
  CHECK_THROWS_WITH(outbound::S3Settings::from_config(load(env)), Catch::Contains("s3_bucket 'Bad_Bucket'"));
  env.erase("PROMPTSALES_S3_SECRET_ACCESS_KEY");
  env["PROMPTSALES_S3_BUCKET"] = "ok-bucket";
  CHECK_THROWS_WITH(outbound::S3Settings::from_config(load(env)), Catch::Contains("no S3 secret access key"));
}

TEST_CASE("s3 settings: refuses the secret as a flag", "[outbound][s3][config]") {
  Config config = load(kS3);
  config.set_flag("s3_secret_access_key", "on-argv");
  CHECK_THROWS_WITH(outbound::S3Settings::from_config(config), Catch::Contains("must not be given on the command line"));
}
