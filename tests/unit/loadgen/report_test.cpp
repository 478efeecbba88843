#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "promptsales/common/loadgen/report.hpp"

using namespace promptsales::loadgen;

namespace {

struct Fixture {
  LoadOptions options;
  RunResult result;
  CapacityPlan plan;

  Fixture() {
    options.url = "http://127.0.0.1:8080/api/v1/campaigns?organizationId={org}&limit=20";
    result.measured_seconds = 10;
    result.requests = 200'000;
    result.requests_per_second = 20'000;
    result.operations_per_minute = 1'200'000;
    result.successful_per_minute = 1'080'000;
    result.status.codes = {{200, 180'000}, {404, 15'000}, {500, 5'000}};
    result.errors.timeout = 3;
    result.latency = {1.5, 2.5, 3.0, 8.0, 20.0, 35.0, 1.8};
    result.bytes_read = 1'700'000'000;
    result.connections_opened = 64;
    plan = plan_capacity(capacity_input(result), CapacityTargets{});
  }
  BenchmarkReport report() const { return {options, result, plan}; }
};

}  // namespace

TEST_CASE("JSON report has stable fields", "[report]") {
  const Fixture f;
  const auto doc = nlohmann::json::parse(render_json(f.report()));
  CHECK(doc["run"]["url"] == f.options.url);
  CHECK(doc["run"]["connections"] == 64);
  CHECK(doc["run"]["duration_s"] == 10.0);
  CHECK(doc["results"]["requests"] == 200'000);
  CHECK(doc["results"]["operations_per_minute"] == 1'200'000.0);
  CHECK(doc["results"]["latency_ms"]["p95"] == 3.0);
  CHECK(doc["results"]["latency_ms"]["p999"] == 20.0);
  CHECK(doc["results"]["status"]["2xx"] == 180'000);
  CHECK(doc["results"]["status"]["5xx"] == 5'000);
  CHECK(doc["results"]["status"]["codes"]["404"] == 15'000);
  CHECK(doc["results"]["errors"]["timeout"] == 3);
  CHECK(doc["results"]["errors"]["total"] == 3);
  CHECK(doc["results"]["bytes_read"] == 1'700'000'000);
  CHECK(doc["capacity"]["pods_for_target"] == 2);
  CHECK(doc["capacity"]["pods_for_scale"] == 2);
  CHECK(doc["capacity"]["rate_limited"] == false);
  CHECK(doc["verdict"]["meets_target"] == false);  // 10% non-2xx
  CHECK(doc["verdict"]["errors_ok"] == false);
  CHECK(doc["verdict"]["misses"].size() == 1);
}

TEST_CASE("JSON report writes null pods when nothing succeeded", "[report]") {
  Fixture f;
  f.result.status.codes = {{503, 10}};
  f.result.successful_per_minute = 0;
  f.plan = plan_capacity(capacity_input(f.result), CapacityTargets{});
  const auto doc = nlohmann::json::parse(render_json(f.report()));
  CHECK(doc["capacity"]["pods_for_target"].is_null());
}

TEST_CASE("table report shows throughput, latency, codes, errors and the verdict", "[report]") {
  Fixture f;
  f.options.rate = 5'000;
  const std::string table = render_table(f.report());
  CHECK_THAT(table, Catch::Contains("1,200,000"));
  CHECK_THAT(table, Catch::Contains("p99.9"));
  CHECK_THAT(table, Catch::Contains("(404: 15,000)"));
  CHECK_THAT(table, Catch::Contains("(500: 5,000)"));
  CHECK_THAT(table, Catch::Contains("timeout"));
  CHECK_THAT(table, Catch::Contains("1.58 GiB"));
  CHECK_THAT(table, Catch::Contains("rate 5,000 req/s"));
  CHECK_THAT(table, Catch::Contains("lower bound"));
  CHECK_THAT(table, Catch::Contains("Result: target missed"));
  CHECK_THAT(table, Catch::Contains("error rate"));

  f.result.status.codes = {{200, 200'000}};
  f.result.errors = {};
  f.plan = plan_capacity(capacity_input(f.result), CapacityTargets{});
  CHECK_THAT(render_table(f.report()), Catch::Contains("Result: target met"));
}
