#pragma once
/// The in-process tier of TwoTierCache: response bytes by (scope, key), each
/// stamped with the generation and trust epoch it is valid for. Bounded by
/// entry count and bytes; sharded; CLOCK (second-chance) eviction so that a
/// hit takes only a shared lock.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "promptsales/common/cache/cache_types.hpp"

namespace promptsales::cache {

/// Bounds of a LocalTier. Each shard gets an equal share of both limits.
struct LocalTierOptions {
  std::size_t max_entries = 10'000;
  std::size_t max_bytes = 64 * 1024 * 1024;  ///< bytes of keys plus values
  std::size_t shards = 16;
};

/// What an entry is valid for.
struct LocalStamp {
  std::uint64_t generation = 0;
  std::uint64_t epoch = 0;
  CacheClock::time_point expires_at{};
};

/// Thread-safe bounded map. find() never waits for I/O, only for a shard lock
/// held for a map operation.
class LocalTier {
 public:
  /// An empty tier with these bounds.
  explicit LocalTier(LocalTierOptions options = {});
  ~LocalTier();
  LocalTier(const LocalTier&) = delete;
  LocalTier& operator=(const LocalTier&) = delete;

  /// The bytes stored for (scope, key) if stamped with exactly this generation
  /// and epoch and not expired at `now`; null otherwise.
  CachedBytes find(std::string_view scope, std::string_view key, std::uint64_t generation,
                   std::uint64_t epoch, CacheClock::time_point now) const;
  /// Stores the bytes, evicting as needed. Keeps an existing entry of the same
  /// epoch and a newer generation (a slow load must not undo a fresher one).
  /// Skips values larger than a shard's byte budget.
  void put(std::string_view scope, std::string_view key, CachedBytes value, const LocalStamp& stamp);
  /// Removes everything.
  void clear();

  /// Entries stored now.
  std::size_t entries() const noexcept { return entries_.load(std::memory_order_relaxed); }
  /// Bytes of keys and values stored now.
  std::size_t bytes() const noexcept { return bytes_.load(std::memory_order_relaxed); }
  /// Entries evicted to respect the bounds, since construction.
  std::uint64_t evictions() const noexcept { return evictions_.load(std::memory_order_relaxed); }

 private:
  struct Shard;

  Shard& shard_for(std::size_t hash) const noexcept;

  LocalTierOptions options_;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::atomic<std::size_t> entries_{0};
  std::atomic<std::size_t> bytes_{0};
  std::atomic<std::uint64_t> evictions_{0};
};

}  // namespace promptsales::cache
