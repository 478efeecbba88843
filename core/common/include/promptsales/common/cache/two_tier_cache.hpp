#pragma once
/// Cache-aside of serialized responses in two tiers: in-process (LocalTier)
/// and shared (Redis), keyed by (scope, canonical query) plus the scope's
/// generation, with single flight on misses. See DESIGN.md, "The portal's
/// critical read path".

#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "promptsales/common/cache/cache_types.hpp"
#include "promptsales/common/cache/generation_view.hpp"
#include "promptsales/common/cache/local_tier.hpp"
#include "promptsales/common/cache/single_flight.hpp"

namespace promptsales::cache {

class GenerationTracker;
class SharedStore;

/// Settings of a TwoTierCache.
struct CacheOptions {
  bool enabled = true;                 ///< false: every get_or_load runs the loader
  std::chrono::seconds ttl{300};       ///< in both tiers
  LocalTierOptions local{};
  std::string key_prefix = "promptsales:cache:";  ///< namespace of the Redis keys
  NowFn now;                           ///< null: CacheClock::now
};

/// Counters and gauges, read at once for metrics export.
struct CacheStats {
  std::uint64_t local_hits = 0;        ///< answered from the in-process tier
  std::uint64_t local_misses = 0;      ///< get_or_load calls that went past it
  std::uint64_t redis_hits = 0;
  std::uint64_t redis_misses = 0;
  std::uint64_t redis_errors = 0;      ///< failed GET/SET, including fail-fast refusals
  std::uint64_t loads = 0;             ///< loader calls
  std::uint64_t load_errors = 0;       ///< loader calls that threw
  std::uint64_t bypasses = 0;          ///< misses with no known generation: no tier used
  std::uint64_t singleflight_waits = 0;  ///< callers that waited for another's load
  std::uint64_t evictions = 0;
  std::size_t entries = 0;             ///< in the in-process tier now
  std::size_t bytes = 0;               ///< in the in-process tier now
};

/// Thread-safe.
class TwoTierCache {
 public:
  /// Produces the serialized response on a miss (typically a database query).
  using Loader = std::function<std::string()>;

  /// `generations` and `shared` (null: no shared tier) must outlive the cache.
  TwoTierCache(CacheOptions options, GenerationTracker& generations, SharedStore* shared = nullptr);

  /// I/O-thread fast path: the bytes if the in-process tier holds them for the
  /// scope's current generation and they are fresh; null otherwise (then call
  /// get_or_load on a worker). Never waits for I/O.
  CachedBytes get_local(std::string_view scope, std::string_view key) const;
  /// Worker slow path: in-process tier, then Redis, then `loader`, whose result
  /// is stored in both tiers. Concurrent misses of one key run the loader once
  /// and share its result or exception. Redis trouble never throws; only the
  /// loader's exceptions propagate.
  CachedBytes get_or_load(std::string_view scope, std::string_view key, const Loader& loader);

  /// Loads for get_or_load_async: starts the load and later calls `done`
  /// exactly once with the serialized response or the error.
  using AsyncLoaded = std::function<void(std::string bytes, std::exception_ptr error)>;
  using AsyncLoader = std::function<void(AsyncLoaded done)>;
  /// Receives the bytes, or the loader's error (bytes then null).
  using AsyncDone = AsyncSingleFlight::Done;

  /// True when a miss can be served without blocking, so get_or_load_async
  /// may be used on an I/O thread: the cache is off, or there is no shared
  /// tier and the generations live in this process (no Redis to ask).
  bool loads_without_blocking() const noexcept;
  /// The event-loop counterpart of get_or_load, for when
  /// loads_without_blocking(): the in-process tier, then `loader` once per
  /// key for concurrent misses (waiters register callbacks, nothing waits),
  /// its result kept under the generation read before the load began, like
  /// get_or_load. `done` runs inside this call on a hit, else when the load
  /// ends, on the thread that ends it. The cache must outlive running loads.
  void get_or_load_async(std::string_view scope, std::string_view key, const AsyncLoader& loader, AsyncDone done);

  /// A snapshot of the counters.
  CacheStats stats() const noexcept;
  /// Whether caching is on (CacheOptions::enabled).
  bool enabled() const noexcept { return options_.enabled; }

 private:
  struct Counters {
    std::atomic<std::uint64_t> local_hits{0};
    std::atomic<std::uint64_t> local_misses{0};
    std::atomic<std::uint64_t> redis_hits{0};
    std::atomic<std::uint64_t> redis_misses{0};
    std::atomic<std::uint64_t> redis_errors{0};
    std::atomic<std::uint64_t> loads{0};
    std::atomic<std::uint64_t> load_errors{0};
    std::atomic<std::uint64_t> bypasses{0};
  };

  /// What both get_or_load variants learn before loading: the trust epoch,
  /// the change count, the scope's generation and, if the in-process tier
  /// holds the page, the hit. Counts the hit or miss (and a bypass).
  struct LocalLookup {
    TrustEpoch epoch;
    std::uint64_t changes = 0;
    std::optional<std::uint64_t> generation;
    CachedBytes hit;
    /// Only a trusted epoch may fill the in-process tier: its entries are
    /// served without asking Redis, which is safe only while bumps are heard.
    bool local_ok() const noexcept { return generation.has_value() && epoch.trusted; }
  };
  LocalLookup look_up_local(std::string_view scope, std::string_view key);
  CachedBytes fill(std::string_view scope, std::string_view key, std::optional<std::uint64_t> generation,
                   bool local_ok, std::uint64_t epoch, const Loader& loader);
  CachedBytes run_loader(const Loader& loader);
  void keep_local(std::string_view scope, std::string_view key, const CachedBytes& value, std::uint64_t generation,
                  std::uint64_t epoch);
  void forget_local_if_epoch_changed(std::uint64_t epoch);
  std::string shared_key(std::string_view scope, std::uint64_t generation, std::string_view key) const;
  CacheClock::time_point now() const;

  CacheOptions options_;
  GenerationTracker& generations_;
  SharedStore* shared_;
  LocalTier local_;
  SingleFlight flights_;
  AsyncSingleFlight async_flights_;
  std::atomic<std::uint64_t> local_epoch_;
  mutable Counters counters_;
};

}  // namespace promptsales::cache
