#pragma once
/// Small types shared by the cache pieces.

#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace promptsales::cache {

/// Serialized response bytes, shared so that a hit is sent without a copy.
using CachedBytes = std::shared_ptr<const std::string>;

/// The monotonic clock that TTLs and backoff intervals are measured with.
using CacheClock = std::chrono::steady_clock;

/// A source of "now". Production uses CacheClock::now; tests inject a fake.
using NowFn = std::function<CacheClock::time_point()>;

}  // namespace promptsales::cache
