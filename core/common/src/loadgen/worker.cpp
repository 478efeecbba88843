#include "worker.hpp"

#include <algorithm>

namespace promptsales::loadgen::detail {

namespace asio = boost::asio;

namespace {

// Timeouts are checked by one periodic sweep per thread instead of a timer per
// request: arming and cancelling a timer for every request would cost more
// than the request itself. The sweep granularity bounds the timeout error.
Clock::duration sweep_interval_for(Clock::duration timeout) {
  return std::clamp<Clock::duration>(timeout / 20, std::chrono::milliseconds(1), std::chrono::milliseconds(50));
}

// Only this thread ever touches the io_context, so Asio may skip its locks.
constexpr int kSingleThreaded = BOOST_ASIO_CONCURRENCY_HINT_UNSAFE;

}  // namespace

Worker::Worker(const RunPlan& plan, unsigned thread_index, unsigned threads)
    : plan_(plan),
      io_(kSingleThreaded),
      end_timer_(io_),
      sweep_timer_(io_),
      sweep_interval_(sweep_interval_for(plan.timeout)),
      // Threads start at different points of the rotation so that together
      // they cover it evenly from the first second.
      sequence_(plan.requests->variants() * thread_index / std::max(threads, 1U)) {
  for (unsigned index = thread_index; index < plan.connections; index += threads) {
    connections_.push_back(std::make_unique<Connection>(*this, index));
  }
}

Worker::~Worker() = default;

void Worker::run() {
  for (auto& connection : connections_) {
    connection->start();
  }
  end_timer_.expires_at(plan_.end);
  end_timer_.async_wait([this](const boost::system::error_code&) { io_.stop(); });
  sweep_timer_.expires_after(sweep_interval_);
  sweep_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) {
      sweep();
    }
  });
  io_.run();
}

void Worker::sweep() {
  const auto now = Clock::now();
  for (auto& connection : connections_) {
    connection->check_deadline(now);
  }
  sweep_timer_.expires_at(now + sweep_interval_);
  sweep_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) {
      sweep();
    }
  });
}

void Worker::record_response(int status, Clock::time_point intended, Clock::time_point now) noexcept {
  // Single writer: a plain load and store avoids a locked read-modify-write.
  live_responses_.store(live_responses_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  if (!plan_.measured(now)) {
    return;
  }
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(now - intended).count();
  stats_.latency.record(static_cast<std::uint64_t>(std::max<std::int64_t>(micros, 0)));
  ++stats_.status[static_cast<std::size_t>(status)];
  ++stats_.responses;
}

void Worker::record_error(ErrorKind kind, Clock::time_point now) noexcept {
  live_errors_.store(live_errors_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  if (plan_.measured(now)) {
    stats_.errors.add(kind);
  }
}

void Worker::record_bytes(std::size_t bytes, Clock::time_point now) noexcept {
  if (plan_.measured(now)) {
    stats_.bytes_read += bytes;
  }
}

}  // namespace promptsales::loadgen::detail
