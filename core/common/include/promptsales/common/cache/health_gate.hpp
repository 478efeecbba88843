#pragma once
/// Fail-fast gate in front of a dependency, so that a dead Redis costs a
/// request nothing instead of a connect timeout each time.

#include <atomic>
#include <chrono>
#include <mutex>

#include "promptsales/common/cache/cache_types.hpp"

namespace promptsales::cache {

/// How long to fail fast after failures: `initial`, doubling up to `max`.
struct BackoffPolicy {
  std::chrono::milliseconds initial{500};
  std::chrono::milliseconds max{5000};
};

/// Healthy: every call goes through. After a failure: calls are refused until
/// the backoff interval ends, then one caller per interval is let through as a
/// probe; its success makes the gate healthy again, its failure doubles the
/// interval. Thread-safe; the healthy path is one atomic load.
class HealthGate {
 public:
  /// `now` defaults to CacheClock::now.
  explicit HealthGate(BackoffPolicy policy, NowFn now = {});

  /// True when a call may go to the dependency now.
  bool allow() noexcept;
  /// Records a call that reached the dependency. True when this ended an outage.
  bool succeeded() noexcept;
  /// Records a call that could not reach the dependency. True when this began an outage.
  bool failed() noexcept;
  /// Ends the current fail-fast interval: the next call is a probe. For callers
  /// with other evidence that the dependency is back.
  void reset() noexcept;
  /// False from a failure until a later success.
  bool healthy() const noexcept { return healthy_.load(std::memory_order_acquire); }
  /// The fail-fast interval that the last failure started.
  std::chrono::milliseconds current_delay() const;

 private:
  CacheClock::time_point now() const;

  BackoffPolicy policy_;
  NowFn now_;
  std::atomic<bool> healthy_{true};
  mutable std::mutex mutex_;
  std::chrono::milliseconds delay_;
  CacheClock::time_point retry_at_{};
  bool probe_granted_ = false;
};

}  // namespace promptsales::cache
