#include "promptsales/common/cache/two_tier_cache.hpp"

#include "promptsales/common/cache/generation_tracker.hpp"
#include "promptsales/common/cache/shared_store.hpp"

namespace promptsales::cache {
namespace {

// Keys name the scope with its length first, so "org:4" + "2:..." can never
// collide with "org:42" + "...".
void append_scope(std::string& out, std::string_view scope) {
  out += std::to_string(scope.size());
  out += ':';
  out += scope;
  out += ':';
}

// The single-flight key. With a generation, callers of one generation share
// a load. Without one, the tracker's change count stands in for it, so a
// caller that arrives after a write never joins a load started before it.
std::string flight_key(std::string_view scope, std::string_view key, std::optional<std::uint64_t> generation,
                       std::uint64_t changes) {
  std::string out;
  append_scope(out, scope);
  out += generation ? "g" + std::to_string(*generation) : "c" + std::to_string(changes);
  out += ':';
  out += key;
  return out;
}

}  // namespace

TwoTierCache::TwoTierCache(CacheOptions options, GenerationTracker& generations, SharedStore* shared)
    : options_(std::move(options)),
      generations_(generations),
      shared_(shared),
      local_(options_.local),
      local_epoch_(generations.epoch().id) {}

CacheClock::time_point TwoTierCache::now() const { return options_.now ? options_.now() : CacheClock::now(); }

std::string TwoTierCache::shared_key(std::string_view scope, std::uint64_t generation, std::string_view key) const {
  std::string out = options_.key_prefix;
  out += "v:";
  append_scope(out, scope);
  out += std::to_string(generation);
  out += ':';
  out += key;
  return out;
}

CachedBytes TwoTierCache::get_local(std::string_view scope, std::string_view key) const {
  if (!options_.enabled) {
    return {};
  }
  // Epoch before generation: if trust changes in between, the stamp check fails safe.
  const TrustEpoch epoch = generations_.epoch();
  const auto generation = generations_.current(scope);
  if (!generation) {
    return {};
  }
  CachedBytes hit = local_.find(scope, key, *generation, epoch.id, now());
  if (hit) {
    counters_.local_hits.fetch_add(1, std::memory_order_relaxed);
  }
  return hit;
}

CachedBytes TwoTierCache::get_or_load(std::string_view scope, std::string_view key, const Loader& loader) {
  if (!options_.enabled) {
    return run_loader(loader);
  }
  const LocalLookup found = look_up_local(scope, key);
  if (found.hit) return found.hit;
  return flights_
      .run(flight_key(scope, key, found.generation, found.changes),
           [&] { return fill(scope, key, found.generation, found.local_ok(), found.epoch.id, loader); })
      .value;
}

TwoTierCache::LocalLookup TwoTierCache::look_up_local(std::string_view scope, std::string_view key) {
  LocalLookup found;
  found.epoch = generations_.epoch();
  forget_local_if_epoch_changed(found.epoch.id);
  found.changes = generations_.changes();
  found.generation = generations_.current(scope);
  if (found.generation) {
    found.hit = local_.find(scope, key, *found.generation, found.epoch.id, now());
    if (found.hit) {
      counters_.local_hits.fetch_add(1, std::memory_order_relaxed);
      return found;
    }
  }
  counters_.local_misses.fetch_add(1, std::memory_order_relaxed);
  // With generations shared through Redis this may ask Redis; callers that
  // must not block only come here when loads_without_blocking().
  if (!found.generation) found.generation = generations_.load(scope);
  if (!found.generation) counters_.bypasses.fetch_add(1, std::memory_order_relaxed);
  return found;
}

bool TwoTierCache::loads_without_blocking() const noexcept {
  return !options_.enabled || (shared_ == nullptr && !generations_.shared_through_redis());
}

void TwoTierCache::get_or_load_async(std::string_view scope, std::string_view key, const AsyncLoader& loader,
                                     AsyncDone done) {
  if (!options_.enabled) {
    counters_.loads.fetch_add(1, std::memory_order_relaxed);
    loader([this, done = std::move(done)](std::string bytes, std::exception_ptr error) {
      if (error) {
        counters_.load_errors.fetch_add(1, std::memory_order_relaxed);
        done(nullptr, std::move(error));
        return;
      }
      done(std::make_shared<const std::string>(std::move(bytes)), nullptr);
    });
    return;
  }
  // The same steps as get_or_load, minus Redis (loads_without_blocking()).
  const LocalLookup found = look_up_local(scope, key);
  if (found.hit) {
    done(found.hit, nullptr);
    return;
  }
  const auto& generation = found.generation;
  const auto& epoch = found.epoch;
  const bool local_ok = found.local_ok();
  std::string flight = flight_key(scope, key, generation, found.changes);
  if (!async_flights_.join(flight, std::move(done))) return;  // another load of this key answers it

  if (local_ok) {
    // A load that finished just before this one began has stored the value.
    if (CachedBytes hit = local_.find(scope, key, *generation, epoch.id, now())) {
      counters_.local_hits.fetch_add(1, std::memory_order_relaxed);
      async_flights_.finish(flight, hit, nullptr);
      return;
    }
  }
  counters_.loads.fetch_add(1, std::memory_order_relaxed);
  loader([this, flight = std::move(flight), scope = std::string(scope), key = std::string(key), generation, local_ok,
          epoch = epoch.id](std::string bytes, std::exception_ptr error) {
    if (error) {
      counters_.load_errors.fetch_add(1, std::memory_order_relaxed);
      async_flights_.finish(flight, nullptr, std::move(error));
      return;
    }
    CachedBytes value = std::make_shared<const std::string>(std::move(bytes));
    // Stored under the generation read before the load, as in fill().
    if (local_ok) keep_local(scope, key, value, *generation, epoch);
    async_flights_.finish(flight, value, nullptr);
  });
}

void TwoTierCache::keep_local(std::string_view scope, std::string_view key, const CachedBytes& value,
                              std::uint64_t generation, std::uint64_t epoch) {
  local_.put(scope, key, value, LocalStamp{generation, epoch, now() + options_.ttl});
}

CachedBytes TwoTierCache::fill(std::string_view scope, std::string_view key, std::optional<std::uint64_t> generation,
                               bool local_ok, std::uint64_t epoch, const Loader& loader) {
  if (local_ok) {
    // A load that finished just before this one began has stored the value.
    if (CachedBytes hit = local_.find(scope, key, *generation, epoch, now())) {
      counters_.local_hits.fetch_add(1, std::memory_order_relaxed);
      return hit;
    }
  }
  std::string redis_key;
  if (generation && shared_ != nullptr) {
    redis_key = shared_key(scope, *generation, key);
    auto stored = shared_->get(redis_key);
    if (stored && *stored) {
      counters_.redis_hits.fetch_add(1, std::memory_order_relaxed);
      auto value = std::make_shared<const std::string>(std::move(**stored));
      if (local_ok) {
        keep_local(scope, key, value, *generation, epoch);
      }
      return value;
    }
    (stored ? counters_.redis_misses : counters_.redis_errors).fetch_add(1, std::memory_order_relaxed);
  }

  // The generation was read before the loader runs. A write that commits
  // during the load bumps past it, so this value can only be stored under a
  // generation that is already old, never under a newer one.
  CachedBytes value = run_loader(loader);
  if (!redis_key.empty()) {
    if (!shared_->set(redis_key, *value, options_.ttl)) {
      counters_.redis_errors.fetch_add(1, std::memory_order_relaxed);
    }
  }
  if (local_ok) {
    keep_local(scope, key, value, *generation, epoch);
  }
  return value;
}

CachedBytes TwoTierCache::run_loader(const Loader& loader) {
  counters_.loads.fetch_add(1, std::memory_order_relaxed);
  try {
    return std::make_shared<const std::string>(loader());
  } catch (...) {
    counters_.load_errors.fetch_add(1, std::memory_order_relaxed);
    throw;
  }
}

void TwoTierCache::forget_local_if_epoch_changed(std::uint64_t epoch) {
  // Entries of an older epoch are already unreachable (their stamp no longer
  // matches); clearing frees their memory. Done here, on a worker, so the I/O
  // threads never pay for it.
  std::uint64_t seen = local_epoch_.load(std::memory_order_acquire);
  if (seen != epoch && local_epoch_.compare_exchange_strong(seen, epoch, std::memory_order_acq_rel)) {
    local_.clear();
  }
}

CacheStats TwoTierCache::stats() const noexcept {
  CacheStats s;
  s.local_hits = counters_.local_hits.load(std::memory_order_relaxed);
  s.local_misses = counters_.local_misses.load(std::memory_order_relaxed);
  s.redis_hits = counters_.redis_hits.load(std::memory_order_relaxed);
  s.redis_misses = counters_.redis_misses.load(std::memory_order_relaxed);
  s.redis_errors = counters_.redis_errors.load(std::memory_order_relaxed);
  s.loads = counters_.loads.load(std::memory_order_relaxed);
  s.load_errors = counters_.load_errors.load(std::memory_order_relaxed);
  s.bypasses = counters_.bypasses.load(std::memory_order_relaxed);
  s.singleflight_waits = flights_.waits() + async_flights_.waits();
  s.evictions = local_.evictions();
  s.entries = local_.entries();
  s.bytes = local_.bytes();
  return s;
}

}  // namespace promptsales::cache
