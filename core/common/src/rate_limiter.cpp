#include "promptsales/common/rate_limiter.hpp"

#include <algorithm>
#include <cmath>
#include <functional>

namespace promptsales {

RateLimiter::RateLimiter(RateLimit limit, std::size_t max_keys)
    : limit_{limit.per_second, std::max(1.0, limit.burst)},
      max_per_shard_(std::max<std::size_t>(1, max_keys / kShards)) {}

RateLimiter::Decision RateLimiter::take(std::string_view key, Clock::time_point now) {
  if (!enabled()) return {};
  // Keys are hashed: a collision merely shares a bucket, and no client
  // string is stored.
  const std::uint64_t hash = std::hash<std::string_view>{}(key);
  auto& shard = shards_[hash % kShards];
  std::lock_guard lock(shard.mutex);
  auto it = shard.buckets.find(hash);
  if (it == shard.buckets.end()) {
    if (shard.buckets.size() >= max_per_shard_) make_room(shard, now);
    it = shard.buckets.emplace(hash, Bucket{limit_.burst, now}).first;
  }
  auto& b = it->second;
  const double elapsed = std::chrono::duration<double>(now - b.updated).count();
  b.tokens = std::min(limit_.burst, b.tokens + std::max(0.0, elapsed) * limit_.per_second);
  b.updated = now;
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return {};
  }
  const double wait = (1.0 - b.tokens) / limit_.per_second;
  return {false, std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(wait)))};
}

void RateLimiter::make_room(Shard& shard, Clock::time_point now) {
  const double refill_seconds = limit_.burst / limit_.per_second;
  std::erase_if(shard.buckets, [&](const auto& entry) {
    return std::chrono::duration<double>(now - entry.second.updated).count() >= refill_seconds;
  });
  if (shard.buckets.size() >= max_per_shard_) shard.buckets.clear();
}

}  // namespace promptsales
