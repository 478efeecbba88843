#include <catch2/catch.hpp>

#include <atomic>
#include <latch>
#include <stdexcept>
#include <thread>
#include <vector>

#include "fake_clock.hpp"
#include "fake_shared_store.hpp"
#include "promptsales/common/cache/generation_tracker.hpp"
#include "promptsales/common/cache/two_tier_cache.hpp"

using namespace std::chrono_literals;
using promptsales::cache::CachedBytes;
using promptsales::cache::CacheOptions;
using promptsales::cache::GenerationTracker;
using promptsales::cache::TwoTierCache;
using promptsales::cache::testing::FakeClock;
using promptsales::cache::testing::FakeSharedStore;

namespace {

CacheOptions options_with(FakeClock& clock) {
  CacheOptions options;
  options.now = clock.fn();
  return options;
}

// Waits (bounded) until `count` callers are blocked on another's load.
void wait_for_waiters(const TwoTierCache& cache, std::uint64_t count) {
  const auto until = std::chrono::steady_clock::now() + 5s;
  while (cache.stats().singleflight_waits < count && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(1ms);
  }
}

}  // namespace

TEST_CASE("two-tier cache: a miss loads, then the local tier answers", "[cache][two_tier]") {
  FakeClock clock;
  GenerationTracker generations;
  TwoTierCache cache(options_with(clock), generations);
  int calls = 0;
  const auto loader = [&] {
    ++calls;
    return std::string("page-1");
  };

  CHECK_FALSE(cache.get_local("org:1", "limit=20"));
  const CachedBytes first = cache.get_or_load("org:1", "limit=20", loader);
  REQUIRE(first);
  CHECK(*first == "page-1");
  const CachedBytes local = cache.get_local("org:1", "limit=20");
  REQUIRE(local);
  CHECK(local.get() == first.get());  // the same bytes, not a copy
  CHECK(cache.get_or_load("org:1", "limit=20", loader).get() == first.get());
  CHECK(calls == 1);

  const auto stats = cache.stats();
  CHECK(stats.loads == 1);
  CHECK(stats.local_hits == 2);
  CHECK(stats.local_misses == 1);
  CHECK(stats.entries == 1);
  CHECK(stats.bytes > 0);
}

TEST_CASE("two-tier cache: entries expire after the TTL", "[cache][two_tier]") {
  FakeClock clock;
  GenerationTracker generations;
  auto options = options_with(clock);
  options.ttl = 300s;
  TwoTierCache cache(options, generations);
  cache.get_or_load("org:1", "k", [] { return std::string("v1"); });
  clock.advance(299s);
  CHECK(cache.get_local("org:1", "k"));
  clock.advance(1s);
  CHECK_FALSE(cache.get_local("org:1", "k"));
  CHECK(*cache.get_or_load("org:1", "k", [] { return std::string("v2"); }) == "v2");
}

TEST_CASE("two-tier cache: a bump hides the scope's old entries at once", "[cache][two_tier]") {
  FakeClock clock;
  GenerationTracker generations;
  TwoTierCache cache(options_with(clock), generations);
  cache.get_or_load("org:1", "k", [] { return std::string("org1-v1"); });
  cache.get_or_load("org:2", "k", [] { return std::string("org2-v1"); });
  cache.get_or_load("all", "k", [] { return std::string("all-v1"); });

  CHECK(generations.bump({"org:1", "all"}));
  CHECK_FALSE(cache.get_local("org:1", "k"));
  CHECK_FALSE(cache.get_local("all", "k"));
  REQUIRE(cache.get_local("org:2", "k"));  // other organizations keep their entries
  CHECK(*cache.get_local("org:2", "k") == "org2-v1");

  CHECK(*cache.get_or_load("org:1", "k", [] { return std::string("org1-v2"); }) == "org1-v2");
  CHECK(*cache.get_local("org:1", "k") == "org1-v2");
}

TEST_CASE("two-tier cache: the shared tier answers before the loader", "[cache][two_tier]") {
  FakeClock clock;
  FakeSharedStore store;
  GenerationTracker generations;
  TwoTierCache writer(options_with(clock), generations, &store);
  TwoTierCache reader(options_with(clock), generations, &store);

  writer.get_or_load("org:1", "k", [] { return std::string("v1"); });
  CHECK(store.size() == 1);
  int calls = 0;
  const auto bytes = reader.get_or_load("org:1", "k", [&] {
    ++calls;
    return std::string("other");
  });
  CHECK(*bytes == "v1");
  CHECK(calls == 0);
  CHECK(reader.stats().redis_hits == 1);
  CHECK(writer.stats().redis_misses == 1);
  CHECK(reader.get_local("org:1", "k"));  // and it is now cached locally too

  generations.bump({"org:1"});  // the new generation has no shared value yet
  CHECK(*reader.get_or_load("org:1", "k", [] { return std::string("v2"); }) == "v2");
  CHECK(store.size() == 2);
}

TEST_CASE("two-tier cache: a failing shared tier never fails the call", "[cache][two_tier]") {
  FakeClock clock;
  FakeSharedStore store;
  store.down = true;
  GenerationTracker generations;
  TwoTierCache cache(options_with(clock), generations, &store);
  CHECK(*cache.get_or_load("org:1", "k", [] { return std::string("v1"); }) == "v1");
  const auto stats = cache.stats();
  CHECK(stats.loads == 1);
  CHECK(stats.redis_errors == 2);  // the GET and the SET
  CHECK(cache.get_local("org:1", "k"));
}

TEST_CASE("two-tier cache: single flight runs the loader once for 50 concurrent misses", "[cache][two_tier]") {
  GenerationTracker generations;
  TwoTierCache cache(CacheOptions{}, generations);
  constexpr int threads = 50;
  std::atomic<int> calls{0};
  const auto loader = [&] {
    ++calls;
    // Hold the load until every other caller is waiting for it, so the test
    // proves they joined it rather than arriving after it finished.
    wait_for_waiters(cache, threads - 1);
    return std::string(8 * 1024, 'x');
  };

  std::latch start(threads);
  std::vector<CachedBytes> results(threads);
  std::vector<std::thread> pool;
  for (int i = 0; i < threads; ++i) {
    pool.emplace_back([&, i] {
      start.arrive_and_wait();
      results[static_cast<std::size_t>(i)] = cache.get_or_load("org:1", "limit=20&offset=0", loader);
    });
  }
  for (auto& t : pool) {
    t.join();
  }
  CHECK(calls == 1);
  for (const auto& r : results) {
    REQUIRE(r);
    CHECK(r.get() == results[0].get());
  }
  const auto stats = cache.stats();
  CHECK(stats.singleflight_waits == threads - 1);
  CHECK(stats.loads == 1);
}

TEST_CASE("two-tier cache: a loader exception reaches every waiter, and the next call retries",
          "[cache][two_tier]") {
  GenerationTracker generations;
  TwoTierCache cache(CacheOptions{}, generations);
  constexpr int threads = 50;
  std::atomic<int> calls{0};
  const auto failing = [&]() -> std::string {
    ++calls;
    wait_for_waiters(cache, threads - 1);
    throw std::runtime_error("database down");
  };

  std::latch start(threads);
  std::atomic<int> errors{0};
  std::vector<std::thread> pool;
  for (int i = 0; i < threads; ++i) {
    pool.emplace_back([&] {
      start.arrive_and_wait();
      try {
        cache.get_or_load("org:1", "k", failing);
      } catch (const std::runtime_error& e) {
        if (std::string(e.what()) == "database down") {
          ++errors;
        }
      }
    });
  }
  for (auto& t : pool) {
    t.join();
  }
  CHECK(calls == 1);
  CHECK(errors == threads);
  CHECK(cache.stats().load_errors == 1);
  CHECK_FALSE(cache.get_local("org:1", "k"));

  CHECK(*cache.get_or_load("org:1", "k", [] { return std::string("recovered"); }) == "recovered");
  CHECK(cache.get_local("org:1", "k"));
}

TEST_CASE("two-tier cache: concurrent misses of different keys load separately", "[cache][two_tier]") {
  GenerationTracker generations;
  TwoTierCache cache(CacheOptions{}, generations);
  std::atomic<int> calls{0};
  std::vector<std::thread> pool;
  for (int i = 0; i < 8; ++i) {
    pool.emplace_back([&, i] {
      cache.get_or_load("org:1", "offset=" + std::to_string(i * 20), [&] {
        ++calls;
        return std::string("page");
      });
    });
  }
  for (auto& t : pool) {
    t.join();
  }
  CHECK(calls == 8);
}

TEST_CASE("two-tier cache: disabled, every call goes to the loader", "[cache][two_tier]") {
  FakeSharedStore store;
  GenerationTracker generations;
  CacheOptions options;
  options.enabled = false;
  TwoTierCache cache(options, generations, &store);
  CHECK_FALSE(cache.enabled());
  int calls = 0;
  for (int i = 0; i < 3; ++i) {
    const auto bytes = cache.get_or_load("org:1", "k", [&] {
      ++calls;
      return "v" + std::to_string(calls);
    });
    CHECK(*bytes == "v" + std::to_string(i + 1));
    CHECK_FALSE(cache.get_local("org:1", "k"));
  }
  CHECK(calls == 3);
  CHECK(store.gets == 0);
  CHECK(store.sets == 0);
  CHECK(cache.stats().entries == 0);
}

TEST_CASE("two-tier cache: the local tier stays within its bounds", "[cache][two_tier]") {
  GenerationTracker generations;
  CacheOptions options;
  options.local = {10, 1 << 20, 1};
  TwoTierCache cache(options, generations);
  for (int i = 0; i < 25; ++i) {
    cache.get_or_load("org:1", std::to_string(i), [] { return std::string("v"); });
  }
  const auto stats = cache.stats();
  CHECK(stats.entries == 10);
  CHECK(stats.evictions == 15);
}

TEST_CASE("generation tracker: invalid scopes are refused", "[cache][generations]") {
  GenerationTracker generations;
  CHECK_THROWS_AS(generations.bump({"org:1", "bad\nscope"}), std::invalid_argument);
  CHECK_THROWS_AS(generations.bump({""}), std::invalid_argument);
  CHECK(generations.trusted());
  CHECK(generations.load("org:1") == 0u);
  CHECK(generations.bump({"org:1", "org:1"}));
  CHECK(generations.current("org:1") == 1u);  // duplicates bump once
}
