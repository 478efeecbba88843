#include <catch2/catch.hpp>

#include "promptsales/common/cache/cache_key.hpp"
#include "redis_test_support.hpp"

using namespace std::chrono_literals;
using namespace promptsales::cache;
using namespace promptsales::cache::testing;

namespace {

struct CountingLoader {
  std::string value;
  std::atomic<int> calls{0};
  TwoTierCache::Loader fn() {
    return [this] {
      ++calls;
      return value;
    };
  }
};

}  // namespace

TEST_CASE("cross-process: the Redis tier is shared and a bump reaches the other process",
          "[cache][integration]") {
  const RedisUrl url = shared_redis();
  const std::string prefix = unique_prefix("xproc");
  PrefixCleanup cleanup(url, prefix);
  CacheProcess a(url, prefix);
  CacheProcess b(url, prefix);
  REQUIRE(a.generations.wait_until_trusted(2s));
  REQUIRE(b.generations.wait_until_trusted(2s));

  const std::string key = canonical_query({{"organizationId", "42"}, {"limit", "20"}, {"offset", "0"}});
  CountingLoader load_a{"page v1"};
  CountingLoader load_b{"page from b"};

  // A loads from the database; B finds A's bytes in Redis without loading.
  CHECK(*a.cache.get_or_load("org:42", key, load_a.fn()) == "page v1");
  CHECK(*b.cache.get_or_load("org:42", key, load_b.fn()) == "page v1");
  CHECK(load_a.calls == 1);
  CHECK(load_b.calls == 0);
  CHECK(b.cache.stats().redis_hits == 1);
  // Both now serve it from memory.
  REQUIRE(a.cache.get_local("org:42", key));
  REQUIRE(b.cache.get_local("org:42", key));

  // A writes organization 42.
  const auto bumped_at = std::chrono::steady_clock::now();
  REQUIRE(a.generations.bump({"org:42", "all"}));
  CHECK_FALSE(a.cache.get_local("org:42", key));  // at once in the writing process
  const bool b_stopped = eventually([&] { return !b.cache.get_local("org:42", key); }, 1s);
  const auto lag = std::chrono::steady_clock::now() - bumped_at;
  CHECK(b_stopped);
  INFO("bump reached B after " << std::chrono::duration_cast<std::chrono::microseconds>(lag).count() << " us");
  CHECK(lag < 1s);

  load_b.value = "page v2";
  CHECK(*b.cache.get_or_load("org:42", key, load_b.fn()) == "page v2");
  CHECK(load_b.calls == 1);
  // ...and A gets B's new bytes from Redis.
  CHECK(*a.cache.get_or_load("org:42", key, load_a.fn()) == "page v2");
  CHECK(load_a.calls == 1);
  CHECK(a.cache.stats().redis_hits == 1);
}

TEST_CASE("cross-process: a bump of one organization leaves others cached", "[cache][integration]") {
  const RedisUrl url = shared_redis();
  const std::string prefix = unique_prefix("xproc-scope");
  PrefixCleanup cleanup(url, prefix);
  CacheProcess a(url, prefix);
  CacheProcess b(url, prefix);
  REQUIRE(a.generations.wait_until_trusted(2s));
  REQUIRE(b.generations.wait_until_trusted(2s));

  for (const char* scope : {"org:1", "org:2", "all"}) {
    b.cache.get_or_load(scope, "limit=20", [] { return std::string("v1"); });
    REQUIRE(b.cache.get_local(scope, "limit=20"));
  }
  REQUIRE(a.generations.bump({"org:1", "all"}));
  CHECK(eventually([&] { return !b.cache.get_local("all", "limit=20"); }, 1s));
  CHECK_FALSE(b.cache.get_local("org:1", "limit=20"));
  CHECK(b.cache.get_local("org:2", "limit=20"));
}
