#pragma once
/// One load thread: an event loop, its connections and its statistics.

#include <array>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <memory>
#include <vector>

#include "connection.hpp"
#include "promptsales/common/loadgen/histogram.hpp"
#include "promptsales/common/loadgen/run_result.hpp"
#include "run_plan.hpp"

namespace promptsales::loadgen::detail {

/// What one thread measured inside the window; merged after the run.
struct ThreadStats {
  LatencyHistogram latency;               ///< microseconds
  std::array<std::uint64_t, 600> status{};  ///< by exact status code
  ErrorCounts errors;
  std::uint64_t responses = 0;
  std::uint64_t bytes_read = 0;
  std::uint64_t connects = 0;  ///< whole run, warm-up included
};

/// Owns an io_context that only its own thread runs, so the statistics are
/// plain fields; only the two progress counters are atomics, written by this
/// thread alone and read once per second by the progress loop.
class Worker {
 public:
  /// Creates connections thread_index, thread_index + threads, ... of the plan.
  Worker(const RunPlan& plan, unsigned thread_index, unsigned threads);
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;
  ~Worker();

  /// Runs the connections until the plan's end; call on the worker's thread.
  void run();

  /// Responses so far, warm-up included; safe from any thread.
  std::uint64_t responses_so_far() const noexcept { return live_responses_.load(std::memory_order_relaxed); }
  /// Transport errors so far, warm-up included; safe from any thread.
  std::uint64_t errors_so_far() const noexcept { return live_errors_.load(std::memory_order_relaxed); }
  /// The thread's measurements; read after run() returned.
  const ThreadStats& stats() const noexcept { return stats_; }

  /// The event loop the connections run on.
  boost::asio::io_context& io() noexcept { return io_; }
  /// The run's shared plan.
  const RunPlan& plan() const noexcept { return plan_; }
  /// Position in the organization/offset rotation for the next request.
  std::uint64_t next_sequence() noexcept { return sequence_++; }

  /// Counts a complete response received at `now` for a request meant to go at `intended`.
  void record_response(int status, Clock::time_point intended, Clock::time_point now) noexcept;
  /// Counts a transport failure.
  void record_error(ErrorKind kind, Clock::time_point now) noexcept;
  /// Counts bytes received.
  void record_bytes(std::size_t bytes, Clock::time_point now) noexcept;
  /// Counts an established connection.
  void record_connect() noexcept { ++stats_.connects; }

 private:
  void sweep();

  const RunPlan& plan_;
  boost::asio::io_context io_;  // declared before its users, destroyed after them
  boost::asio::steady_timer end_timer_;
  boost::asio::steady_timer sweep_timer_;
  Clock::duration sweep_interval_;
  std::vector<std::unique_ptr<Connection>> connections_;
  ThreadStats stats_;
  std::uint64_t sequence_;
  alignas(64) std::atomic<std::uint64_t> live_responses_{0};
  std::atomic<std::uint64_t> live_errors_{0};
};

}  // namespace promptsales::loadgen::detail
