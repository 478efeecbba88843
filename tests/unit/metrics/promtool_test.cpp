// The exposition of a realistic registry passes `promtool check metrics`,
// the same check CI and operators run against /metrics.

#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "promptsales/common/metrics/build_info.hpp"
#include "promptsales/common/metrics/process_collector.hpp"
#include "promptsales/common/metrics/registry.hpp"

using namespace promptsales::metrics;
namespace fs = std::filesystem;

namespace {

std::optional<fs::path> find_on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path != nullptr ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const fs::path candidate = fs::path(dir.empty() ? "." : dir) / program;
    if (access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
  }
  return std::nullopt;
}

struct CheckResult {
  int exit_code = -1;
  std::string output;  ///< stdout and stderr together
};

// Runs `promtool check metrics < text`. Never skips: a machine without
// promtool fails here with the way to fix it.
CheckResult promtool_check(const std::string& text) {
  const auto promtool = find_on_path("promtool");
  if (!promtool) {
    FAIL("promtool is not on PATH: run scripts/deps.sh (it installs the prometheus package)");
  }
  static int sequence = 0;
  const fs::path file = fs::temp_directory_path() /
                        ("promptsales_metrics_" + std::to_string(getpid()) + "_" +
                         std::to_string(++sequence) + ".prom");
  std::ofstream(file, std::ios::binary) << text;

  const std::string command = "'" + promtool->string() + "' check metrics < '" + file.string() + "' 2>&1";
  CheckResult result;
  if (FILE* pipe = popen(command.c_str(), "r")) {
    char buffer[4096];
    while (const std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) {
      result.output.append(buffer, n);
    }
    const int status = pclose(pipe);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  fs::remove(file);
  return result;
}

// What the API server and jobs expose, with a few children each.
void fill_realistic(Registry& registry) {
  auto& requests = registry.counter("promptsales_http_requests_total",
                                    "HTTP requests served, by route, method and status.",
                                    {"route", "method", "status"});
  auto& duration = registry.histogram("promptsales_http_request_duration_seconds",
                                      "Time to serve an HTTP request, by route and method.",
                                      {"route", "method"});
  auto& in_flight = registry.gauge("promptsales_http_requests_in_flight",
                                   "HTTP requests being served right now.");
  for (const auto& [route, method, status, seconds] :
       {std::tuple{"campaigns_list", "GET", "200", 0.0003}, std::tuple{"campaigns_list", "GET", "200", 0.0007},
        std::tuple{"campaign_create", "POST", "201", 0.012}, std::tuple{"campaign_get", "GET", "404", 0.0009},
        std::tuple{"campaigns_list", "GET", "500", 12.0}}) {
    requests.labels({route, method, status}).inc();
    duration.labels({route, method}).observe(seconds);
  }
  in_flight.labels({}).set(3);

  registry.counter("promptsales_job_runs_total", "Job runs by job and outcome.", {"job", "outcome"})
      .labels({"backup", "success"})
      .inc(2);
  registry.counter("promptsales_lead_import_rows_rejected_total",
                   "Rows rejected by \"lead import\", by reason.\nOne line per reason.", {"reason"})
      .labels({"bad \"email\" \\ field\nline 2"})
      .inc();
  registry.callback_gauge("promptsales_db_pool_connections", "Database pool connections by state.",
                          {"database", "state"})
      .set({"portal", "in_use"}, [] { return 4.0; });
  registry.gauge("promptsales_cache_hit_ratio", "Share of cache lookups answered from memory.")
      .labels({})
      .set(0.875);
  register_build_info(registry, {"0.1.0", "gcc 12.2.0", "Debug"});
  register_process_metrics(registry);
}

}  // namespace

TEST_CASE("a realistic registry passes promtool check metrics without complaints") {
  Registry registry;
  fill_realistic(registry);
  const std::string text = registry.render();
  const CheckResult result = promtool_check(text);
  INFO("exposition:\n" << text);
  INFO("promtool said:\n" << result.output);
  CHECK(result.exit_code == 0);
  CHECK(result.output.empty());
}

TEST_CASE("the promtool check does catch problems") {
  // Guards the test above against passing because promtool was not really run.
  Registry registry;
  registry.counter("promptsales_requests", "A counter without the _total suffix.").labels({}).inc();
  const CheckResult result = promtool_check(registry.render());
  CHECK(result.exit_code != 0);
  CHECK(result.output.find("_total") != std::string::npos);
}
