#include "promptsales/common/loadgen/load_generator.hpp"

#include <algorithm>
#include <cmath>
#include <exception>
#include <memory>
#include <thread>
#include <vector>

#include "probe.hpp"
#include "promptsales/common/errors.hpp"
#include "promptsales/common/loadgen/header_line.hpp"
#include "promptsales/common/loadgen/url_template.hpp"
#include "request_writer.hpp"
#include "run_plan.hpp"
#include "worker.hpp"

namespace promptsales::loadgen {

using detail::Clock;

namespace {

void validate(const LoadOptions& options, const UrlTemplate& url) {
  if (options.connections == 0) {
    throw ValidationError("connections", "must be at least 1");
  }
  if (options.threads == 0) {
    throw ValidationError("threads", "must be at least 1");
  }
  if (options.duration.count() <= 0) {
    throw ValidationError("duration", "must be positive");
  }
  if (options.warmup.count() < 0) {
    throw ValidationError("warmup", "must not be negative");
  }
  if (options.timeout.count() <= 0) {
    throw ValidationError("timeout", "must be positive");
  }
  if (!std::isfinite(options.rate) || options.rate < 0) {
    throw ValidationError("rate", "must be zero (unlimited) or a positive number of requests per second");
  }
  if (url.uses_org() && options.organizations.empty()) {
    throw ValidationError("organizations", "the URL has {org} but no organization ids were given");
  }
  if (url.uses_offset() && options.offsets.empty()) {
    throw ValidationError("offsets", "the URL has {offset} but no offsets were given");
  }
}

std::vector<HeaderLine> parse_headers(const std::vector<std::string>& lines) {
  std::vector<HeaderLine> headers;
  for (const auto& line : lines) {
    auto header = parse_header_line(line);
    if (!header) {
      throw ValidationError("header", "expected \"Name: value\", got \"" + line + "\"");
    }
    headers.push_back(std::move(*header));
  }
  return headers;
}

Clock::duration seconds_to_clock(double seconds) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

/// Calls the progress callback once per second until the run's end.
void report_progress(const LoadOptions& options, const detail::RunPlan& plan,
                     const std::vector<std::unique_ptr<detail::Worker>>& workers) {
  std::uint64_t last_responses = 0;
  Clock::time_point last = plan.start;
  for (Clock::time_point tick = plan.start + std::chrono::seconds(1); tick < plan.end;
       tick += std::chrono::seconds(1)) {
    std::this_thread::sleep_until(tick);
    Progress progress;
    for (const auto& worker : workers) {
      progress.requests += worker->responses_so_far();
      progress.errors += worker->errors_so_far();
    }
    const auto now = Clock::now();
    const double interval = std::chrono::duration<double>(now - last).count();
    progress.elapsed_seconds = std::chrono::duration<double>(now - plan.start).count();
    // The interval just reported is labelled warm-up if it began before the
    // measured window did.
    progress.warming_up = last < plan.measure_start;
    progress.requests_per_second =
        interval > 0 ? static_cast<double>(progress.requests - last_responses) / interval : 0.0;
    last_responses = progress.requests;
    last = now;
    options.on_progress(progress);
  }
}

RunResult merge(const std::vector<std::unique_ptr<detail::Worker>>& workers, const LoadOptions& options) {
  RunResult result;
  result.measured_seconds = std::chrono::duration<double>(options.duration).count();
  for (const auto& worker : workers) {
    const detail::ThreadStats& stats = worker->stats();
    result.histogram.merge(stats.latency);
    for (std::size_t code = 0; code < stats.status.size(); ++code) {
      if (stats.status[code] != 0) {
        result.status.codes[static_cast<int>(code)] += stats.status[code];
      }
    }
    result.errors += stats.errors;
    result.requests += stats.responses;
    result.bytes_read += stats.bytes_read;
    result.connections_opened += stats.connects;
  }
  result.latency = summarize(result.histogram);
  result.requests_per_second = static_cast<double>(result.requests) / result.measured_seconds;
  result.operations_per_minute = result.requests_per_second * 60.0;
  result.successful_per_minute = static_cast<double>(result.status.in_class(2)) / result.measured_seconds * 60.0;
  return result;
}

}  // namespace

RunResult run_load(const LoadOptions& options) {
  UrlTemplate url = UrlTemplate::parse(options.url);
  validate(options, url);
  const detail::RequestWriter requests(url, options.organizations, options.offsets, parse_headers(options.headers));

  detail::RunPlan plan;
  plan.endpoint = detail::find_reachable_endpoint(url, options.timeout);
  plan.requests = &requests;
  plan.connections = options.connections;
  plan.timeout = options.timeout;
  if (options.rate > 0) {
    plan.interval = seconds_to_clock(static_cast<double>(options.connections) / options.rate);
    plan.stagger = seconds_to_clock(1.0 / options.rate);
  }
  // More threads than connections would leave threads idle.
  const unsigned threads = std::min(options.threads, options.connections);
  std::vector<std::unique_ptr<detail::Worker>> workers;
  for (unsigned t = 0; t < threads; ++t) {
    workers.push_back(std::make_unique<detail::Worker>(plan, t, threads));
  }

  plan.start = Clock::now();
  plan.measure_start = plan.start + options.warmup;
  plan.end = plan.measure_start + options.duration;

  std::vector<std::exception_ptr> failures(threads);
  {
    // Declared after `workers`, so the threads are joined before the workers
    // go away, even if the progress callback throws.
    std::vector<std::jthread> running;
    for (unsigned t = 0; t < threads; ++t) {
      running.emplace_back([&workers, &failures, t] {
        try {
          workers[t]->run();
        } catch (...) {
          failures[t] = std::current_exception();
        }
      });
    }
    if (options.on_progress) {
      report_progress(options, plan, workers);
    }
  }
  for (const auto& failure : failures) {
    if (failure) {
      std::rethrow_exception(failure);
    }
  }
  return merge(workers, options);
}

}  // namespace promptsales::loadgen
