#pragma once
/// The fixed facts of one run, shared read-only by every worker thread.

#include <boost/asio/ip/tcp.hpp>
#include <chrono>

#include "request_writer.hpp"

namespace promptsales::loadgen::detail {

using Clock = std::chrono::steady_clock;

/// Where, what and when to send. Written before the workers start.
struct RunPlan {
  boost::asio::ip::tcp::endpoint endpoint;
  const RequestWriter* requests = nullptr;
  unsigned connections = 0;
  Clock::time_point start;          ///< first connects
  Clock::time_point measure_start;  ///< end of the warm-up
  Clock::time_point end;            ///< the workers stop here
  Clock::duration timeout{};        ///< per request and per connect
  Clock::duration interval{};       ///< per connection between sends; zero = unpaced
  Clock::duration stagger{};        ///< offset between consecutive connections' schedules

  /// Whether an event at `t` belongs to the measured window.
  bool measured(Clock::time_point t) const noexcept { return t >= measure_start && t < end; }
};

}  // namespace promptsales::loadgen::detail
