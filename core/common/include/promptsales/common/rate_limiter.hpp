#pragma once
/// Token-bucket rate limiting by key (a client address, a bearer token).
/// Buckets live in the process: with N pods behind a load balancer a
/// client gets up to N times the rate, which bounds abuse per pod without a
/// shared round trip per request.

#include <array>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string_view>
#include <unordered_map>

namespace promptsales {

struct RateLimit {
  double per_second = 0;  ///< 0 = unlimited
  double burst = 0;       ///< bucket size (at least 1)
};

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  /// `max_keys` bounds memory: when a shard is full, buckets that have
  /// refilled completely (idle clients) are dropped first, then all.
  explicit RateLimiter(RateLimit limit, std::size_t max_keys = 100'000);

  struct Decision {
    bool allowed = true;
    /// When refused: whole seconds until one request is allowed (>= 1).
    std::int64_t retry_after_seconds = 0;
  };
  /// Takes one token from `key`'s bucket.
  Decision take(std::string_view key, Clock::time_point now = Clock::now());
  bool enabled() const noexcept { return limit_.per_second > 0; }

 private:
  struct Bucket {
    double tokens = 0;
    Clock::time_point updated;
  };
  struct Shard {
    std::mutex mutex;
    std::unordered_map<std::uint64_t, Bucket> buckets;
  };
  static constexpr std::size_t kShards = 16;
  void make_room(Shard& shard, Clock::time_point now);

  RateLimit limit_;
  std::size_t max_per_shard_;
  std::array<Shard, kShards> shards_;
};

}  // namespace promptsales
