#pragma once
/// The in-process half of GenerationTracker: what this process knows about
/// each scope's generation, whether that knowledge can be trusted, and the
/// bumps it still owes to Redis. No I/O; public so it can be tested alone.

#include <array>
#include <atomic>
#include <cstdint>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace promptsales::cache {

/// The trust state at one instant. `id` changes whenever trust is lost or
/// regained, so anything recorded under one id is void under another.
struct TrustEpoch {
  std::uint64_t id = 0;
  bool trusted = false;
};

/// A scope whose bump could not reach Redis, and how many such bumps.
struct PendingBump {
  std::string scope;
  std::uint32_t count = 0;
};

/// Thread-safe map of scope -> generation, sharded so readers of different
/// scopes do not share a lock. Readers take a shared lock and never wait for I/O.
class GenerationView {
 public:
  /// `trusted`: whether the view starts trusted (true only without Redis).
  explicit GenerationView(bool trusted);

  /// The scope's generation when it is known, trusted and has no pending bump.
  std::optional<std::uint64_t> current(std::string_view scope) const;
  /// The current trust state.
  TrustEpoch epoch() const noexcept;
  /// Records a generation read from Redis while the view was in `seen`.
  /// Refused (false) if trust changed since, because the read may predate
  /// bumps that the view has since forgotten.
  bool install(std::string_view scope, std::uint64_t generation, TrustEpoch seen);
  /// Applies an announced or acknowledged bump: generation = max(old, new).
  void raise(std::string_view scope, std::uint64_t generation);
  /// Adds one to the scope's generation (the Redis-less mode) and returns it.
  std::uint64_t advance(std::string_view scope);
  /// Records a bump that did not reach Redis: the scope is unknown until settled.
  void mark_pending(std::string_view scope);
  /// True while a bump of this scope is owed to Redis.
  bool owes(std::string_view scope) const;
  /// The bumps still owed to Redis.
  std::vector<PendingBump> pending() const;
  /// Forgets `bump.count` owed bumps of `bump.scope` after they reached Redis.
  void settle(const PendingBump& bump);
  /// Number of scopes with owed bumps.
  std::size_t pending_count() const noexcept { return pending_scopes_.load(std::memory_order_acquire); }
  /// Trust lost (announcements may be missed from now on): nothing is current.
  void distrust() noexcept;
  /// Trust (re)gained: forgets every known generation, since announcements may
  /// have been missed, and starts a new epoch.
  void trust();
  /// Counts every local or announced bump and trust change; callers use it to
  /// tell "before" from "after" a write when no generation is known.
  std::uint64_t changes() const noexcept { return changes_.load(std::memory_order_acquire); }

 private:
  struct ScopeState {
    std::uint64_t generation = 0;
    bool known = false;
    std::uint32_t pending = 0;
  };
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  using Map = std::unordered_map<std::string, ScopeState, StringHash, std::equal_to<>>;
  struct Shard {
    mutable std::shared_mutex mutex;
    Map scopes;
  };
  static constexpr std::size_t shard_count = 16;

  Shard& shard_for(std::string_view scope) const noexcept;
  ScopeState& state_locked(Shard& shard, std::string_view scope);

  mutable std::array<Shard, shard_count> shards_;
  /// Odd while trusted; +1 on every loss or regain of trust.
  std::atomic<std::uint64_t> trust_state_;
  std::atomic<std::size_t> pending_scopes_{0};
  std::atomic<std::uint64_t> changes_{0};
};

}  // namespace promptsales::cache
