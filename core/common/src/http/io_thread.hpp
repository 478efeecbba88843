#pragma once
// One I/O thread: its own io_context (so threads never contend on one
// handler queue) and the connections it serves. The registry and the sweep
// that enforces timeouts are touched only from this thread, so they need no
// locks; other threads reach it only by posting to context().

#include <cstddef>
#include <string>
#include <thread>
#include <vector>

#include "asio_types.hpp"

namespace promptsales::http::detail {

class ConnectionBase;

class IoThread {
 public:
  IoThread();
  IoThread(const IoThread&) = delete;
  IoThread& operator=(const IoThread&) = delete;

  /// The event loop connections of this thread are bound to.
  asio::io_context& context() noexcept { return context_; }

  /// Starts the thread (named `name`, e.g. "http-io-0"), which runs the loop until stop().
  void spawn(std::string name);
  /// Makes the loop return; pending handlers stay queued until destruction.
  void stop() noexcept { context_.stop(); }
  /// Waits for the thread to end.
  void join();

  /// Checks every connection's deadline each `interval` (timeouts are coarse
  /// so that a request costs no timer operations).
  void start_sweeping(Clock::duration interval);

  /// Registers a started connection (called on this thread).
  void add(ConnectionBase& connection);
  /// Unregisters a closing connection (called on this thread).
  void remove(ConnectionBase& connection) noexcept;

  /// Closes the connections waiting for a next request (on this thread).
  void close_idle() noexcept;
  /// Closes every connection (on this thread).
  void close_all() noexcept;

 private:
  void sweep();
  void run() noexcept;

  std::vector<ConnectionBase*> connections_;
  Clock::duration sweep_interval_{};
  asio::io_context context_{1};  // one thread per context: a hint that skips some locking
  asio::executor_work_guard<Executor> work_;
  asio::steady_timer sweep_timer_;
  std::thread thread_;
};

}  // namespace promptsales::http::detail
