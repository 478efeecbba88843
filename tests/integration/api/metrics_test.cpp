// End to end: /metrics is valid Prometheus text (promtool agrees) and holds
// the families dashboards and alerts use.

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <catch2/catch.hpp>
#include <unistd.h>

#include "api_fixture.hpp"
#include "http_client.hpp"
#include "prometheus_text.hpp"
#include "redis_server_process.hpp"
#include "serve_process.hpp"
#include "temp_dir.hpp"

using namespace promptsales::test;

namespace {

bool on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    const auto colon = dirs.find(':', start);
    const std::string dir = dirs.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    if (!dir.empty() && ::access((std::filesystem::path(dir) / program).c_str(), X_OK) == 0) return true;
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return false;
}

}  // namespace

TEST_CASE("metrics pass promtool check metrics and have the expected families", "[api][metrics]") {
  if (!on_path("promtool")) FAIL("promtool is not installed: run scripts/deps.sh");

  SeededInstallation inst;
  RedisServerProcess redis;
  ServeProcess server(inst.env(redis.url()));
  wait_for_local_cache(server);

  // Some traffic, errors included.
  REQUIRE(server.get("/api/v1/campaigns?organizationId=1").status == 200);
  REQUIRE(server.get("/api/v1/campaigns?organizationId=1").status == 200);
  REQUIRE(server.get("/campaigns?organizationId=2").status == 200);
  REQUIRE(server.get("/api/v1/campaigns/1").status == 200);
  REQUIRE(server.get("/api/v1/campaigns/987654321").status == 404);
  REQUIRE(server.get("/api/v1/campaigns?limit=0").status == 400);
  REQUIRE(server.get("/no/such/path").status == 404);
  REQUIRE(server.send("PATCH", "/api/v1/campaigns", "{}").status == 405);
  REQUIRE(server.send("POST", "/api/v1/campaigns", R"({"organizationId":1,"name":"Metrics"})").status == 201);
  REQUIRE(server.send("POST", "/api/v1/campaigns", "{").status == 400);
  REQUIRE(server.get("/readyz").status == 200);

  const auto scrape = server.get("/metrics");
  INFO(scrape.describe());
  REQUIRE(scrape.status == 200);
  CHECK(scrape.header("Content-Type").value_or("").find("text/plain") == 0);
  const std::string& text = scrape.body;

  // promtool reads the scrape on stdin; it prints nothing when all is well.
  TempDir dir("pst-metrics");
  const std::string file = dir.write("scrape.txt", text);
  ChildProcess promtool("sh", {"-c", "exec promtool check metrics < \"$1\"", "sh", file}, {});
  const auto code = promtool.wait_exit(std::chrono::seconds(30));
  {
    INFO("promtool check metrics:\n" << promtool.log() << "\n--- scrape ---\n" << text);
    REQUIRE(code);
    CHECK(*code == 0);
    CHECK(promtool.log().empty());
  }

  INFO(text);
  using Labels = std::map<std::string, std::string>;
  const auto value = [&](const std::string& name, const Labels& labels = {}) {
    return metric_value(text, name, labels);
  };
  // Requests by route, method and status.
  CHECK(value("promptsales_http_requests_total", {{"route", "campaigns_list"}, {"method", "GET"}, {"status", "200"}})
            .value_or(0) >= 2);
  CHECK(value("promptsales_http_requests_total",
              {{"route", "campaigns_list_legacy"}, {"method", "GET"}, {"status", "200"}})
            .value_or(0) >= 1);
  CHECK(value("promptsales_http_requests_total", {{"route", "campaigns_get"}, {"method", "GET"}, {"status", "404"}})
            .value_or(0) >= 1);
  CHECK(value("promptsales_http_requests_total", {{"route", "campaigns_list"}, {"method", "GET"}, {"status", "400"}})
            .value_or(0) >= 1);
  CHECK(value("promptsales_http_requests_total", {{"route", "campaigns_create"}, {"method", "POST"}, {"status", "201"}})
            .value_or(0) >= 1);
  CHECK(value("promptsales_http_requests_total", {{"route", "unmatched"}, {"status", "404"}}).value_or(0) >= 1);
  CHECK(value("promptsales_http_requests_total", {{"route", "unmatched"}, {"method", "PATCH"}, {"status", "405"}})
            .value_or(0) >= 1);
  for (const auto& s : parse_metric_samples(text)) {
    if (s.name != "promptsales_http_requests_total") continue;
    CHECK(s.labels.count("route") == 1);
    CHECK(s.labels.count("method") == 1);
    CHECK(s.labels.count("status") == 1);
  }
  // Latency histogram.
  CHECK(value("promptsales_http_request_duration_seconds_bucket", {{"route", "campaigns_list"}, {"le", "+Inf"}})
            .value_or(0) >= 2);
  CHECK(value("promptsales_http_request_duration_seconds_count", {{"route", "campaigns_list"}}).value_or(0) >= 2);
  CHECK(value("promptsales_http_request_duration_seconds_sum", {{"route", "campaigns_list"}}));
  // In flight: at least this scrape.
  CHECK(value("promptsales_http_requests_in_flight").value_or(0) >= 1);
  // Cache and pools.
  CHECK(value("promptsales_cache_hits_total", {{"tier", "local"}}).value_or(0) >= 1);
  CHECK(value("promptsales_cache_hits_total", {{"tier", "redis"}}));
  CHECK(value("promptsales_cache_misses_total", {{"tier", "local"}}).value_or(0) >= 1);
  CHECK(value("promptsales_cache_loads_total").value_or(0) >= 1);
  CHECK(value("promptsales_db_pool_connections", {{"database", "ads"}, {"state", "max"}}) == 16);
  CHECK(value("promptsales_db_pool_connections", {{"database", "control"}, {"state", "max"}}) == 16);
  CHECK(value("promptsales_db_pool_connections", {{"database", "ads"}, {"state", "idle"}}).value_or(-1) >= 0);
  // Build information.
  bool build_info = false;
  for (const auto& s : parse_metric_samples(text)) {
    if (s.name != "promptsales_build_info") continue;
    build_info = true;
    CHECK(s.value == 1);
    CHECK(s.labels.count("version") == 1);
  }
  CHECK(build_info);
}
