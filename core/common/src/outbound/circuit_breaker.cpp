#include "promptsales/common/outbound/circuit_breaker.hpp"

#include <algorithm>

namespace promptsales::outbound {

CircuitBreaker::CircuitBreaker(Options options) : options_(options) {
  options_.failure_threshold = std::max(1, options_.failure_threshold);
}

CircuitBreaker::Permit CircuitBreaker::acquire(Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (state_ == State::closed) return {};
  const auto reopen_at = opened_at_ + options_.cooldown;
  if (state_ == State::open && now >= reopen_at) {
    // The cool-down is over: this caller is the one trial.
    state_ = State::half_open;
    trial_in_flight_ = true;
    return {};
  }
  if (state_ == State::half_open && !trial_in_flight_) {
    trial_in_flight_ = true;
    return {};
  }
  const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(reopen_at - now);
  return {false, std::max(wait, std::chrono::milliseconds(0))};
}

void CircuitBreaker::on_success() {
  std::lock_guard lock(mutex_);
  state_ = State::closed;
  failures_ = 0;
  trial_in_flight_ = false;
}

void CircuitBreaker::on_failure(Clock::time_point now) {
  std::lock_guard lock(mutex_);
  ++failures_;
  if (state_ == State::half_open || failures_ >= options_.failure_threshold) {
    state_ = State::open;
    opened_at_ = now;
  }
  trial_in_flight_ = false;
}

void CircuitBreaker::on_abandon() {
  std::lock_guard lock(mutex_);
  trial_in_flight_ = false;
}

CircuitBreaker::State CircuitBreaker::state(Clock::time_point now) const {
  std::lock_guard lock(mutex_);
  // An open breaker whose cool-down is over admits a trial: report that.
  if (state_ == State::open && now >= opened_at_ + options_.cooldown) return State::half_open;
  return state_;
}

int CircuitBreaker::consecutive_failures() const {
  std::lock_guard lock(mutex_);
  return failures_;
}

const char* to_string(CircuitBreaker::State state) noexcept {
  switch (state) {
    case CircuitBreaker::State::closed: return "closed";
    case CircuitBreaker::State::open: return "open";
    case CircuitBreaker::State::half_open: return "half-open";
  }
  return "?";
}

}  // namespace promptsales::outbound
