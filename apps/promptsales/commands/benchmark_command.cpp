// `promptsales benchmark`: loads the portal's critical read (a page of 20
// campaigns) and says whether the deployment meets the product's targets:
// throughput, p95 latency and error budget, plus the pods needed for the
// target and for 10x. The measuring lives in promptsales_loadgen; this file
// only maps flags to options and results to output and an exit code.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "app_context.hpp"
#include "commands/commands.hpp"
#include "output.hpp"
#include "promptsales/common/errors.hpp"
#include "promptsales/common/loadgen/capacity_plan.hpp"
#include "promptsales/common/loadgen/duration_text.hpp"
#include "promptsales/common/loadgen/header_line.hpp"
#include "promptsales/common/loadgen/load_generator.hpp"
#include "promptsales/common/loadgen/report.hpp"

namespace promptsales::app {
namespace {

struct BenchmarkOptions {
  std::string url = "http://127.0.0.1:8080/api/v1/campaigns?organizationId={org}&limit=20";
  std::uint64_t organizations = 100;
  std::vector<std::string> org_ids;
  std::vector<std::uint64_t> offsets{0};
  unsigned connections = 64;
  unsigned threads = 1;
  std::string duration = "10s";
  std::string warmup = "2s";
  std::string timeout = "5s";
  double rate = 0;
  std::vector<std::string> headers;
  std::string header_file;
  double target_opm = 100'000;
  double target_p95_ms = 2'500;
  double headroom = 0.6;
  double max_error_rate = 0.001;
  bool quiet = false;
};

CLI::Validator duration_validator(bool allow_zero) {
  return CLI::Validator(
      [allow_zero](std::string& value) -> std::string {
        const auto parsed = loadgen::parse_duration(value);
        if (!parsed) {
          return "expected a duration such as 500ms, 10s or 2m, got '" + value + "'";
        }
        if (!allow_zero && parsed->count() == 0) {
          return "must be longer than zero";
        }
        return {};
      },
      "DURATION");
}

const CLI::Validator kHeaderLine(
    [](std::string& value) -> std::string {
      return loadgen::parse_header_line(value) ? std::string{} : "expected \"Name: value\", got '" + value + "'";
    },
    "HEADER");

std::chrono::milliseconds duration_of(const std::string& text) {
  // The flag's validator already accepted it; a failure here is a bug.
  return loadgen::parse_duration(text).value();
}

/// Header lines from a file, so that tokens stay out of argv and shell history.
std::vector<std::string> read_header_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    throw ConfigError("cannot read --header-file " + path);
  }
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') {
      line.pop_back();
    }
    if (line.empty() || line.front() == '#') {
      continue;
    }
    if (!loadgen::parse_header_line(line)) {
      // The line may hold a secret: name the line number, not its content.
      throw ConfigError("--header-file " + path + ": line " + std::to_string(lines.size() + 1) +
                        " is not \"Name: value\"");
    }
    lines.push_back(line);
  }
  return lines;
}

/// Overwrites one stderr line per second: only meaningful on a terminal.
void show_progress(const loadgen::Progress& p) {
  std::fprintf(stderr, "\r  %5.0f s  %-9s %10.0f req/s  %10llu requests  %6llu errors ", p.elapsed_seconds,
               p.warming_up ? "warm-up" : "measuring", p.requests_per_second,
               static_cast<unsigned long long>(p.requests), static_cast<unsigned long long>(p.errors));
  std::fflush(stderr);
}

loadgen::LoadOptions load_options(const BenchmarkOptions& o) {
  loadgen::LoadOptions load;
  load.url = o.url;
  load.organizations = o.org_ids.empty() ? loadgen::organization_range(o.organizations) : o.org_ids;
  load.offsets = o.offsets;
  load.headers = o.headers;
  if (!o.header_file.empty()) {
    for (auto& line : read_header_file(o.header_file)) {
      load.headers.push_back(std::move(line));
    }
  }
  load.connections = o.connections;
  load.threads = o.threads;
  load.duration = duration_of(o.duration);
  load.warmup = duration_of(o.warmup);
  load.timeout = duration_of(o.timeout);
  load.rate = o.rate;
  return load;
}

/// Runs the benchmark, prints the report and returns the exit code.
ExitCode run_benchmark(const BenchmarkOptions& o, const AppContext& ctx) {
  loadgen::LoadOptions load = load_options(o);
  const bool progress = !o.quiet && stderr_is_tty();
  if (progress) {
    load.on_progress = show_progress;
  }

  const loadgen::RunResult result = loadgen::run_load(load);
  if (progress) {
    std::fputs("\n", stderr);
  }

  loadgen::CapacityTargets targets;
  targets.target_opm = o.target_opm;
  targets.target_p95_ms = o.target_p95_ms;
  targets.headroom = o.headroom;
  targets.max_error_rate = o.max_error_rate;
  const loadgen::CapacityPlan plan = loadgen::plan_capacity(loadgen::capacity_input(result), targets);

  const loadgen::BenchmarkReport report{load, result, plan};
  if (ctx.json()) {
    print_json(nlohmann::json::parse(loadgen::render_json(report)));
  } else {
    std::cout << loadgen::render_table(report) << std::flush;
  }
  return plan.meets_target() ? ExitCode::success : ExitCode::partial;
}

}  // namespace

void register_benchmark_command(CLI::App& app, AppContext& ctx) {
  auto opts = std::make_shared<BenchmarkOptions>();
  CLI::App* cmd = app.add_subcommand(
      "benchmark",
      "Load the portal's campaign page endpoint and check it against the throughput, latency and error targets. "
      "Exit 0: target met; 3: run completed but missed the target; 1: server unreachable; 2: bad flags.");

  cmd->add_option("--url", opts->url, "http:// URL; {org} and {offset} are replaced per request")
      ->capture_default_str();
  auto* organizations = cmd->add_option("--organizations", opts->organizations, "rotate {org} over 1..N")
                            ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1'000'000}))
                            ->capture_default_str();
  cmd->add_option("--org-ids", opts->org_ids, "explicit ids to rotate {org} over (comma-separated)")
      ->delimiter(',')
      ->excludes(organizations);
  cmd->add_option("--offsets", opts->offsets, "values to rotate {offset} over (comma-separated)")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--connections,-c", opts->connections, "keep-alive connections")
      ->check(CLI::Range(1U, 100'000U))
      ->capture_default_str();
  cmd->add_option("--threads,-t", opts->threads, "load threads, one event loop each")
      ->check(CLI::Range(1U, 256U))
      ->capture_default_str();
  cmd->add_option("--duration,-d", opts->duration, "measured period (e.g. 30s, 2m)")
      ->check(duration_validator(false))
      ->capture_default_str();
  cmd->add_option("--warmup", opts->warmup, "period before measuring, not counted")
      ->check(duration_validator(true))
      ->capture_default_str();
  cmd->add_option("--rate", opts->rate,
                  "fixed total requests per second (0 = as fast as possible); latency then counts from each "
                  "request's scheduled time")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--timeout", opts->timeout, "per-request timeout")
      ->check(duration_validator(false))
      ->capture_default_str();
  cmd->add_option("--header,-H", opts->headers, "extra request header \"Name: value\" (repeatable)")
      ->check(kHeaderLine);
  cmd->add_option("--header-file", opts->header_file,
                  "file of \"Name: value\" lines, for tokens that should not appear in argv")
      ->check(CLI::ExistingFile);
  cmd->add_option("--target-opm", opts->target_opm, "throughput target, operations per minute")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--target-p95-ms", opts->target_p95_ms, "p95 latency target in milliseconds")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--headroom", opts->headroom, "fraction of measured capacity each pod is planned to run at")
      ->check(CLI::Range(0.01, 1.0))
      ->capture_default_str();
  cmd->add_option("--max-error-rate", opts->max_error_rate,
                  "error budget: failed requests (non-2xx and transport errors) over all")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  cmd->add_flag("--quiet,-q", opts->quiet, "no progress line (it is shown only when stderr is a terminal)");

  cmd->callback([opts, &ctx] {
    const ExitCode code = run_benchmark(*opts, ctx);
    if (code != ExitCode::success) {
      // The report already says what was missed; only the exit code remains.
      throw ExitWith{code};
    }
  });
}

}  // namespace promptsales::app
