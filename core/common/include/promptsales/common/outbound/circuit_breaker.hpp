#pragma once
/// A circuit breaker for one outbound target: after `failure_threshold`
/// consecutive failures it opens and callers fail fast; after `cooldown` it
/// lets one trial request through (half-open), whose outcome closes or
/// reopens it. Thread-safe.

#include <chrono>
#include <mutex>

namespace promptsales::outbound {

class CircuitBreaker {
 public:
  using Clock = std::chrono::steady_clock;
  enum class State { closed, open, half_open };

  struct Options {
    int failure_threshold = 5;
    std::chrono::milliseconds cooldown{30000};
  };

  /// Whether a request may be sent now; when not, how long until a trial may.
  struct Permit {
    bool allowed = true;
    std::chrono::milliseconds retry_in{0};
  };

  explicit CircuitBreaker(Options options);

  /// Asks to send one request. In half-open only one trial runs at a time.
  /// Every allowed permit must be followed by on_success, on_failure or on_abandon.
  Permit acquire(Clock::time_point now = Clock::now());
  /// The target answered (any status that is not its own failure).
  void on_success();
  /// The target failed (connection error, timeout, 5xx, 429).
  void on_failure(Clock::time_point now = Clock::now());
  /// The request ended for a reason that says nothing about the target (the caller aborted it).
  void on_abandon();

  State state(Clock::time_point now = Clock::now()) const;
  int consecutive_failures() const;

 private:
  Options options_;
  mutable std::mutex mutex_;
  State state_ = State::closed;
  int failures_ = 0;
  Clock::time_point opened_at_{};
  bool trial_in_flight_ = false;
};

const char* to_string(CircuitBreaker::State state) noexcept;

}  // namespace promptsales::outbound
