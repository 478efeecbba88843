// End to end: a Redis started with --requirepass. With the right password
// (in the URL or in redis_password_file) two servers share cached pages and
// invalidate each other; with none or a wrong one the log says so (without
// the password) and the API answers from PostgreSQL with no 5xx.

#include <chrono>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "api_fixture.hpp"
#include "http_client.hpp"
#include "redis_server_process.hpp"
#include "serve_process.hpp"
#include "temp_dir.hpp"

using nlohmann::json;
using namespace promptsales::test;

namespace {

constexpr auto kPassword = "s3cret-Pa55word";
const std::string kPage = "/api/v1/campaigns?organizationId=2&limit=20";

HttpResponse get_ok(const ServeProcess& s, const std::string& target) {
  const auto r = s.get(target);
  INFO("GET " << target << " on port " << s.port() << "\n" << r.describe());
  REQUIRE(r.status == 200);
  return r;
}

/// Creates a campaign through `writer`, then waits for `reader`'s page of
/// organization 2 to list it (pub/sub invalidation across processes).
void check_invalidation(const ServeProcess& writer, const ServeProcess& reader) {
  const std::string before = get_ok(reader, kPage).body;
  CHECK(get_ok(reader, kPage).body == before);  // cached now
  const std::string name = "auth-check-" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
  const auto created = writer.send(
      "POST", "/api/v1/campaigns",
      json{{"organizationId", 2}, {"name", name}, {"status", "active"}, {"enabled", true}}.dump());
  INFO(created.describe());
  REQUIRE(created.status == 201);
  const bool seen = poll_until([&] { return get_ok(reader, kPage).body.find(name) != std::string::npos; },
                               std::chrono::milliseconds(500), std::chrono::milliseconds(5));
  CHECK(seen);
}

}  // namespace

TEST_CASE("With the Redis password in the URL, two servers share the cache and invalidate each other",
          "[redis_auth]") {
  SeededInstallation inst;
  RedisServerProcess redis({kPassword});
  ServeProcess a(inst.env(redis.url()));
  ServeProcess b(inst.env(redis.url()));
  wait_for_local_cache(a);
  wait_for_local_cache(b);

  get_ok(a, kPage);
  get_ok(b, kPage);  // b finds a's page in Redis
  CHECK(scrape_metric(b, "promptsales_cache_hits_total", {{"tier", "redis"}}) >= 1);
  CHECK(scrape_metric(b, "promptsales_cache_errors_total", {{"tier", "redis"}}) == 0);
  check_invalidation(a, b);
  check_invalidation(b, a);

  // The server's own keys are in this Redis: AUTH really happened.
  CHECK(redis.command("DBSIZE") != ":0\r\n");
  for (const auto* s : {&a, &b}) CHECK_THAT(s->log(), !Catch::Contains(kPassword));
}

TEST_CASE("redis_password_file supplies the password and wins over the URL's", "[redis_auth]") {
  SeededInstallation inst;
  RedisServerProcess redis({kPassword});
  TempDir dir("pst-redis-auth");
  const std::string file = dir.write("redis-password", std::string(kPassword) + "\n");
  // A wrong password in the URL, the right one in the file.
  const std::string url = "redis://:wrong@127.0.0.1:" + std::to_string(redis.port()) + "/0";
  ServeProcess a(inst.env(url, {{"PROMPTSALES_REDIS_PASSWORD_FILE", file}}));
  ServeProcess b(inst.env(redis.url_without_password(), {{"PROMPTSALES_REDIS_PASSWORD_FILE", file}}));
  wait_for_local_cache(a);
  wait_for_local_cache(b);
  check_invalidation(a, b);
  CHECK(scrape_metric(a, "promptsales_cache_errors_total", {{"tier", "redis"}}) == 0);

  // config show masks the URL's password; the file's path is not a secret.
  const CommandResult shown =
      run_promptsales({"config", "show"}, inst.env(url, {{"PROMPTSALES_REDIS_PASSWORD_FILE", file}}));
  INFO(shown.out << shown.err);
  CHECK_THAT(shown.out, !Catch::Contains("wrong@"));
  CHECK_THAT(shown.out, Catch::Contains(file));

  // An unreadable password file is a configuration error naming the file.
  const std::string missing = dir.str() + "/missing";
  const CommandResult r = run_promptsales(
      {"serve", "--listen", "127.0.0.1:" + std::to_string(free_port())},
      inst.env(redis.url_without_password(), {{"PROMPTSALES_REDIS_PASSWORD_FILE", missing}}));
  INFO(r.out << r.err);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.out + r.err, Catch::Contains(missing));
}

TEST_CASE("No or a wrong Redis password is logged clearly and the API answers from PostgreSQL", "[redis_auth]") {
  SeededInstallation inst;
  RedisServerProcess redis({kPassword});
  const std::string wrong = "redis://:not-the-password@127.0.0.1:" + std::to_string(redis.port()) + "/0";
  for (const std::string& url : {redis.url_without_password(), wrong}) {
    ServeProcess server(inst.env(url));
    for (int i = 0; i < 5; ++i) {
      const auto r = server.get(kPage);
      INFO(url << "\n" << r.describe());
      CHECK(r.status == 200);
    }
    const auto created = server.send(
        "POST", "/api/v1/campaigns",
        json{{"organizationId", 3}, {"name", "no-redis-write"}, {"status", "active"}, {"enabled", true}}.dump());
    INFO(created.describe());
    CHECK(created.status == 201);
    const std::string log = server.log();
    INFO(log);
    if (url == wrong) {
      CHECK_THAT(log, Catch::Contains("WRONGPASS"));
      CHECK_THAT(log, !Catch::Contains("not-the-password"));
    } else {
      CHECK_THAT(log, Catch::Contains("requires a password (NOAUTH)"));
    }
    CHECK(redis.command("DBSIZE") == ":0\r\n");  // nothing got in
  }
}
