// TwoTierCache::get_or_load_async and AsyncSingleFlight: the event-loop miss
// path. Loads are driven by hand here (the loader parks its completion), so
// every interleaving is explicit.
#include <catch2/catch.hpp>

#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "fake_clock.hpp"
#include "fake_shared_store.hpp"
#include "promptsales/common/cache/generation_tracker.hpp"
#include "promptsales/common/cache/single_flight.hpp"
#include "promptsales/common/cache/two_tier_cache.hpp"

using promptsales::cache::AsyncSingleFlight;
using promptsales::cache::CachedBytes;
using promptsales::cache::CacheOptions;
using promptsales::cache::GenerationTracker;
using promptsales::cache::TwoTierCache;
using promptsales::cache::testing::FakeClock;
using promptsales::cache::testing::FakeSharedStore;

namespace {

/// A loader whose loads finish when the test says so.
struct ParkedLoads {
  std::vector<TwoTierCache::AsyncLoaded> pending;
  TwoTierCache::AsyncLoader loader() {
    return [this](TwoTierCache::AsyncLoaded done) { pending.push_back(std::move(done)); };
  }
  void finish_next(std::string bytes) {
    auto done = std::move(pending.front());
    pending.erase(pending.begin());
    done(std::move(bytes), nullptr);
  }
};

struct Answer {
  bool called = false;
  CachedBytes value;
  std::exception_ptr error;
};

TwoTierCache::AsyncDone into(Answer& a) {
  return [&a](const CachedBytes& value, std::exception_ptr error) {
    a.called = true;
    a.value = value;
    a.error = error;
  };
}

}  // namespace

TEST_CASE("async single flight: one leader, every waiter gets its result, the key is released first",
          "[cache][async]") {
  AsyncSingleFlight flights;
  std::vector<std::string> seen;
  const auto record = [&](const CachedBytes& v, std::exception_ptr e) { seen.push_back(e ? "error" : *v); };
  CHECK(flights.join("k", record));        // leads
  CHECK_FALSE(flights.join("k", record));  // waits
  CHECK_FALSE(flights.join("k", record));
  CHECK(flights.join("other", record));
  CHECK(flights.in_flight() == 2);
  CHECK(flights.waits() == 2);

  bool rejoined_as_leader = false;
  CHECK_FALSE(flights.join("k", [&](const CachedBytes&, std::exception_ptr) {
    // Called after the release: a caller arriving now starts a new load.
    rejoined_as_leader = flights.join("k", [](const CachedBytes&, std::exception_ptr) {});
  }));
  flights.finish("k", std::make_shared<const std::string>("v1"), nullptr);
  CHECK(seen == std::vector<std::string>{"v1", "v1", "v1"});
  CHECK(rejoined_as_leader);
  flights.finish("other", nullptr, std::make_exception_ptr(std::runtime_error("db down")));
  CHECK(seen.back() == "error");
}

TEST_CASE("get_or_load_async: concurrent misses load once, then the local tier answers", "[cache][async]") {
  FakeClock clock;
  GenerationTracker generations;
  CacheOptions options;
  options.now = clock.fn();
  TwoTierCache cache(options, generations);
  REQUIRE(cache.loads_without_blocking());
  ParkedLoads loads;

  Answer a, b, c;
  cache.get_or_load_async("org:1", "limit=20", loads.loader(), into(a));
  cache.get_or_load_async("org:1", "limit=20", loads.loader(), into(b));
  cache.get_or_load_async("org:1", "limit=5", loads.loader(), into(c));
  CHECK(loads.pending.size() == 2);  // one per key
  CHECK_FALSE(a.called);
  loads.finish_next("page-20");
  REQUIRE(a.called);
  REQUIRE(b.called);
  CHECK(*a.value == "page-20");
  CHECK(a.value.get() == b.value.get());
  CHECK_FALSE(c.called);
  loads.finish_next("page-5");
  CHECK(*c.value == "page-5");

  // Stored in the local tier: the fast path and the next async call hit it.
  CHECK(cache.get_local("org:1", "limit=20").get() == a.value.get());
  Answer d;
  cache.get_or_load_async("org:1", "limit=20", loads.loader(), into(d));
  CHECK(d.called);  // at once, without a load
  CHECK(loads.pending.empty());
  const auto stats = cache.stats();
  CHECK(stats.loads == 2);
  CHECK(stats.singleflight_waits == 1);
}

TEST_CASE("get_or_load_async: a write during a load is not hidden by it", "[cache][async]") {
  FakeClock clock;
  GenerationTracker generations;
  CacheOptions options;
  options.now = clock.fn();
  TwoTierCache cache(options, generations);
  ParkedLoads loads;

  Answer before;
  cache.get_or_load_async("org:1", "q", loads.loader(), into(before));
  generations.bump({"org:1"});  // a write commits while the old page loads
  Answer after;
  cache.get_or_load_async("org:1", "q", loads.loader(), into(after));
  CHECK(loads.pending.size() == 2);  // the later caller does not join the older load
  loads.finish_next("old page");
  loads.finish_next("new page");
  CHECK(*before.value == "old page");
  CHECK(*after.value == "new page");
  // The old page was stored under the old generation only.
  const auto local = cache.get_local("org:1", "q");
  REQUIRE(local);
  CHECK(*local == "new page");
}

TEST_CASE("get_or_load_async: errors reach every waiter and are not cached", "[cache][async]") {
  FakeClock clock;
  GenerationTracker generations;
  CacheOptions options;
  options.now = clock.fn();
  TwoTierCache cache(options, generations);
  ParkedLoads loads;
  Answer a, b;
  cache.get_or_load_async("org:1", "q", loads.loader(), into(a));
  cache.get_or_load_async("org:1", "q", loads.loader(), into(b));
  REQUIRE(loads.pending.size() == 1);
  loads.pending.front()(std::string(), std::make_exception_ptr(std::runtime_error("db down")));
  loads.pending.clear();
  CHECK(a.error);
  CHECK(b.error);
  CHECK_FALSE(cache.get_local("org:1", "q"));
  CHECK(cache.stats().load_errors == 1);
}

TEST_CASE("get_or_load_async: a disabled cache loads every time, and a shared tier needs the worker path",
          "[cache][async]") {
  FakeClock clock;
  GenerationTracker generations;
  CacheOptions off;
  off.enabled = false;
  TwoTierCache disabled(off, generations);
  CHECK(disabled.loads_without_blocking());
  ParkedLoads loads;
  Answer a, b;
  disabled.get_or_load_async("org:1", "q", loads.loader(), into(a));
  disabled.get_or_load_async("org:1", "q", loads.loader(), into(b));
  CHECK(loads.pending.size() == 2);

  FakeSharedStore shared;
  CacheOptions on;
  on.now = clock.fn();
  TwoTierCache with_shared(on, generations, &shared);
  CHECK_FALSE(with_shared.loads_without_blocking());
}
