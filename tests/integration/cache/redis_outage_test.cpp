#include <catch2/catch.hpp>

#include "promptsales/common/cache/cache_key.hpp"
#include "redis_test_support.hpp"

using namespace std::chrono_literals;
using namespace promptsales::cache;
using namespace promptsales::cache::testing;

TEST_CASE("outage: Redis killed mid-use, then restarted on the same port", "[cache][integration]") {
  // A private server with an fsync'd AOF: after the restart Redis holds the
  // old generation and the old page again, which is exactly when a lost
  // invalidation would show.
  PrivateRedis server(PrivateRedis::Options{true, ""});
  const std::string prefix = unique_prefix("outage");
  const BackoffPolicy backoff{100ms, 400ms};
  const BackoffPolicy reconnect{50ms, 200ms};
  CacheProcess a(server.url(), prefix, backoff, reconnect);
  CacheProcess b(server.url(), prefix, backoff, reconnect);
  REQUIRE(a.generations.wait_until_trusted(2s));
  REQUIRE(b.generations.wait_until_trusted(2s));

  const std::string key = canonical_query({{"organizationId", "7"}, {"limit", "20"}});
  std::atomic<int> database_version{1};
  std::atomic<int> loads_a{0};
  std::atomic<int> loads_b{0};
  const auto loader = [&](std::atomic<int>& loads) {
    return [&] {
      ++loads;
      return "page v" + std::to_string(database_version.load());
    };
  };

  CHECK(*a.cache.get_or_load("org:7", key, loader(loads_a)) == "page v1");
  CHECK(*b.cache.get_or_load("org:7", key, loader(loads_b)) == "page v1");
  CHECK(loads_b == 0);  // from Redis
  REQUIRE(a.cache.get_local("org:7", key));
  REQUIRE(b.cache.get_local("org:7", key));

  server.kill();

  // The subscribers see their connections reset; nothing in memory is served.
  REQUIRE(eventually([&] { return !a.generations.trusted() && !b.generations.trusted(); }, 1s));
  CHECK_FALSE(a.cache.get_local("org:7", key));
  CHECK_FALSE(b.cache.get_local("org:7", key));

  // A writes organization 7 while Redis is down.
  database_version = 2;
  CHECK_FALSE(a.generations.bump({"org:7", "all"}));
  CHECK(a.generations.pending_bumps() == 2);

  // Requests keep being answered from the loader: no exception, no waiting on Redis.
  auto slowest = std::chrono::steady_clock::duration::zero();
  const auto until = std::chrono::steady_clock::now() + 500ms;
  int calls = 0;
  while (std::chrono::steady_clock::now() < until) {
    for (CacheProcess* process : {&a, &b}) {
      const auto begin = std::chrono::steady_clock::now();
      CachedBytes bytes;
      REQUIRE_NOTHROW(bytes = process->cache.get_or_load("org:7", key, loader(process == &a ? loads_a : loads_b)));
      slowest = std::max(slowest, std::chrono::steady_clock::now() - begin);
      REQUIRE(bytes);
      CHECK(*bytes == "page v2");
      ++calls;
    }
    std::this_thread::sleep_for(2ms);
  }
  INFO("slowest of " << calls << " calls: "
                     << std::chrono::duration_cast<std::chrono::microseconds>(slowest).count() << " us");
  CHECK(slowest < 50ms);
  CHECK(loads_a + loads_b >= calls);  // every call went to the loader
  CHECK(a.cache.stats().bypasses > 0);
  CHECK(a.cache.stats().entries == 0);  // the distrusted entries were dropped
  CHECK(b.cache.stats().entries == 0);

  server.start();

  // The subscribers reconnect, A replays its bump, and both trust again.
  REQUIRE(eventually(
      [&] {
        return a.generations.trusted() && b.generations.trusted() && a.generations.pending_bumps() == 0;
      },
      3s));

  // Redis came back holding "page v1" under the old generation. Had A's bump
  // been lost, B would serve it now.
  const int b_before = loads_b;
  CHECK(*b.cache.get_or_load("org:7", key, loader(loads_b)) == "page v2");
  CHECK(loads_b == b_before + 1);

  // Caching resumes: A gets B's bytes from Redis, then from memory.
  const auto redis_hits = a.cache.stats().redis_hits;
  const int a_before = loads_a;
  CHECK(*a.cache.get_or_load("org:7", key, loader(loads_a)) == "page v2");
  CHECK(loads_a == a_before);
  CHECK(a.cache.stats().redis_hits == redis_hits + 1);
  REQUIRE(a.cache.get_local("org:7", key));
  CHECK(*a.cache.get_local("org:7", key) == "page v2");
}
