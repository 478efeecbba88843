#pragma once
/// What a load run does: target, concurrency, timing and pacing.

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace promptsales::loadgen {

/// A once-per-second snapshot of a running load, for a progress display.
struct Progress {
  double elapsed_seconds = 0;      ///< since the start, warm-up included
  bool warming_up = false;         ///< the reported interval began inside the warm-up
  double requests_per_second = 0;  ///< responses per second over the last interval
  std::uint64_t requests = 0;      ///< responses since the start
  std::uint64_t errors = 0;        ///< transport errors since the start
};

/// Options of one load run. Durations are wall-clock; `duration` is the
/// measured window and comes after `warmup`.
struct LoadOptions {
  /// http:// URL; `{org}` and `{offset}` are replaced per request.
  std::string url;
  /// Values rotated into `{org}` (see organization_range()).
  std::vector<std::string> organizations;
  /// Values rotated into `{offset}`, one full organization cycle per offset.
  std::vector<std::uint64_t> offsets{0};
  /// Extra request headers, each "Name: value" (e.g. Authorization).
  std::vector<std::string> headers;
  /// Keep-alive connections, spread evenly over the threads.
  unsigned connections = 64;
  /// Threads, each with its own event loop.
  unsigned threads = 1;
  /// Measured period, after the warm-up.
  std::chrono::milliseconds duration{10'000};
  /// Period before measuring, to warm caches and connections; not counted.
  std::chrono::milliseconds warmup{2'000};
  /// Per-request deadline (write and full response); also bounds connects.
  std::chrono::milliseconds timeout{5'000};
  /// Fixed total request rate per second, spread over the connections; 0 = as
  /// fast as responses arrive. With a rate, latency counts from each request's
  /// scheduled send time, so a stalled server cannot hide its queueing delay.
  double rate = 0;
  /// Called once per second on the thread that called run_load().
  std::function<void(const Progress&)> on_progress;
};

/// "1", "2", ... "n": the organization ids to rotate over for a range 1..n.
std::vector<std::string> organization_range(std::uint64_t n);

}  // namespace promptsales::loadgen
