// End to end: `promptsales benchmark` against a running `serve`.

#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "api_fixture.hpp"
#include "cli_output.hpp"
#include "dev_auth.hpp"
#include "redis_server_process.hpp"
#include "serve_process.hpp"
#include "temp_dir.hpp"

using namespace promptsales::test;

TEST_CASE("benchmark measures a running server and plans its capacity", "[api][benchmark]") {
  SeededInstallation inst;
  RedisServerProcess redis;
  ServeProcess server(inst.env(redis.url()));

  const std::string url =
      "http://127.0.0.1:" + std::to_string(server.port()) + "/api/v1/campaigns?organizationId={org}&limit=20";
  // The token is a secret: it goes in a header file, never on the command line.
  TempDir dir;
  const auto headers = dir.write("headers", "Authorization: Bearer " + DevAuth::instance().operator_token() + "\n");
  const auto r = run_promptsales({"benchmark", "--url", url, "--organizations", "5", "--connections", "8", "--duration",
                                  "2s", "--warmup", "1s", "--header-file", headers, "-o", "json"});
  INFO(describe(r));
  const auto report = stdout_json(r);
  CHECK(r.exit_code == 0);
  REQUIRE(report.contains("results"));
  REQUIRE(report.contains("capacity"));
  const auto& results = report["results"];
  CHECK(results["requests"].get<double>() > 0);
  CHECK(results["errors"]["total"] == 0);
  CHECK(results["status"]["5xx"] == 0);
  CHECK(results["status"]["4xx"] == 0);
  CHECK(results["status"]["2xx"] == results["requests"]);
  CHECK(results["requests_per_second"].get<double>() > 0);
  const auto& pods = report["capacity"]["pods_for_target"];
  REQUIRE(pods.is_number());
  CHECK(pods.get<int>() >= 2);
  CHECK(report["run"]["url"] == url);
}

TEST_CASE("benchmark against a closed port exits 1 naming the URL", "[api][benchmark]") {
  const std::string url = "http://127.0.0.1:" + std::to_string(free_port()) + "/api/v1/campaigns?organizationId={org}";
  const auto r = run_promptsales(
      {"benchmark", "--url", url, "--organizations", "5", "--connections", "2", "--duration", "1s", "--warmup", "0s"});
  INFO(describe(r));
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains(url));
}
