#pragma once
// A manual clock for TTL and backoff tests.

#include <atomic>
#include <chrono>

#include "promptsales/common/cache/cache_types.hpp"

namespace promptsales::cache::testing {

class FakeClock {
 public:
  CacheClock::time_point now() const { return CacheClock::time_point(std::chrono::nanoseconds(ns_.load())); }
  void advance(std::chrono::nanoseconds by) { ns_ += by.count(); }
  NowFn fn() {
    return [this] { return now(); };
  }

 private:
  // Starts far from zero so that "now - interval" never underflows.
  std::atomic<std::int64_t> ns_{std::chrono::nanoseconds(std::chrono::hours(1000)).count()};
};

}  // namespace promptsales::cache::testing
