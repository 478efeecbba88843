#pragma once
/// What a load run measured.

#include <cstdint>
#include <map>

#include "promptsales/common/loadgen/histogram.hpp"

namespace promptsales::loadgen {

/// Kinds of transport failure; each costs the request it happened on.
enum class ErrorKind {
  connect,   ///< a connect failed or timed out
  read,      ///< reading a response failed after part of it arrived
  write,     ///< sending a request failed
  timeout,   ///< no full response within the per-request timeout
  closed,    ///< the server closed the connection before answering
  protocol,  ///< the response was not valid HTTP/1.x
};

/// Transport failures by kind.
struct ErrorCounts {
  std::uint64_t connect = 0;
  std::uint64_t read = 0;
  std::uint64_t write = 0;
  std::uint64_t timeout = 0;
  std::uint64_t closed = 0;
  std::uint64_t protocol = 0;

  /// Counts one failure of `kind`.
  void add(ErrorKind kind) noexcept;
  /// Sum over all kinds.
  std::uint64_t total() const noexcept;
  /// Adds `other`'s counts.
  ErrorCounts& operator+=(const ErrorCounts& other) noexcept;
};

/// Responses by exact status code.
struct StatusCounts {
  std::map<int, std::uint64_t> codes;  ///< status code -> responses

  /// Responses whose code is in [hundreds*100, hundreds*100 + 99], e.g. 2 for 2xx.
  std::uint64_t in_class(int hundreds) const noexcept;
  /// All responses.
  std::uint64_t total() const noexcept;
};

/// Latency percentiles in milliseconds.
struct LatencySummary {
  double p50 = 0;
  double p90 = 0;
  double p95 = 0;
  double p99 = 0;
  double p999 = 0;
  double max = 0;
  double mean = 0;
};

/// Percentiles of a histogram recorded in microseconds, in milliseconds.
LatencySummary summarize(const LatencyHistogram& micros);

/// Results of one run; counts cover only the measured window.
struct RunResult {
  double measured_seconds = 0;       ///< length of the measured window
  std::uint64_t requests = 0;        ///< responses received, any status
  double requests_per_second = 0;    ///< requests / measured_seconds
  double operations_per_minute = 0;  ///< requests_per_second * 60
  double successful_per_minute = 0;  ///< 2xx responses per minute: the capacity that counts
  LatencySummary latency;            ///< milliseconds
  LatencyHistogram histogram;        ///< microseconds, for further analysis
  StatusCounts status;
  ErrorCounts errors;
  std::uint64_t bytes_read = 0;          ///< raw bytes received, heads included
  std::uint64_t connections_opened = 0;  ///< successful connects over the whole run, warm-up included

  /// Failed attempts (non-2xx responses and transport errors) over all attempts.
  double error_rate() const noexcept;
};

}  // namespace promptsales::loadgen
