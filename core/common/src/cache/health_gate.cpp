#include "promptsales/common/cache/health_gate.hpp"

#include <algorithm>

namespace promptsales::cache {

HealthGate::HealthGate(BackoffPolicy policy, NowFn now)
    : policy_(policy), now_(std::move(now)), delay_(policy.initial) {}

CacheClock::time_point HealthGate::now() const { return now_ ? now_() : CacheClock::now(); }

bool HealthGate::allow() noexcept {
  if (healthy_.load(std::memory_order_acquire)) {
    return true;
  }
  std::lock_guard lock(mutex_);
  const auto t = now();
  if (t < retry_at_) {
    return false;
  }
  // One probe per interval. The next interval starts now, so a probe that
  // never reports back cannot block probing for good.
  retry_at_ = t + delay_;
  probe_granted_ = true;
  return true;
}

bool HealthGate::succeeded() noexcept {
  if (healthy_.load(std::memory_order_acquire)) {
    return false;
  }
  std::lock_guard lock(mutex_);
  if (healthy_.load(std::memory_order_relaxed)) {
    return false;
  }
  delay_ = policy_.initial;
  probe_granted_ = false;
  healthy_.store(true, std::memory_order_release);
  return true;
}

bool HealthGate::failed() noexcept {
  std::lock_guard lock(mutex_);
  const auto t = now();
  if (healthy_.load(std::memory_order_relaxed)) {
    delay_ = policy_.initial;
    retry_at_ = t + delay_;
    probe_granted_ = false;
    healthy_.store(false, std::memory_order_release);
    return true;
  }
  // Only a failed probe lengthens the interval. Calls that were already in
  // flight when the outage began fail too, and must not each double it.
  if (probe_granted_) {
    probe_granted_ = false;
    delay_ = std::min(delay_ * 2, policy_.max);
    retry_at_ = t + delay_;
  }
  return false;
}

void HealthGate::reset() noexcept {
  std::lock_guard lock(mutex_);
  retry_at_ = now();
}

std::chrono::milliseconds HealthGate::current_delay() const {
  std::lock_guard lock(mutex_);
  return delay_;
}

}  // namespace promptsales::cache
