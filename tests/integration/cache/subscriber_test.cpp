#include <catch2/catch.hpp>

#include "redis_test_support.hpp"

using namespace std::chrono_literals;
using namespace promptsales::cache;
using namespace promptsales::cache::testing;

TEST_CASE("subscriber: pings keep a quiet connection trusted", "[cache][integration]") {
  const RedisUrl url = shared_redis();
  const std::string prefix = unique_prefix("quiet");
  PrefixCleanup cleanup(url, prefix);
  CacheProcess process(url, prefix, {}, {50ms, 200ms}, /*ping_interval=*/50ms);
  REQUIRE(process.generations.wait_until_trusted(2s));
  const auto epoch = process.generations.epoch();
  std::this_thread::sleep_for(500ms);  // ten ping intervals without a message
  CHECK(process.generations.trusted());
  CHECK(process.generations.epoch().id == epoch.id);  // never reconnected
}

TEST_CASE("subscriber: a frozen Redis (no FIN, no RST) is noticed by the ping", "[cache][integration]") {
  PrivateRedis server(PrivateRedis::Options{});
  const std::string prefix = unique_prefix("frozen");
  CacheProcess process(server.url(), prefix, {100ms, 400ms}, {50ms, 200ms}, /*ping_interval=*/100ms);
  REQUIRE(process.generations.wait_until_trusted(2s));
  process.cache.get_or_load("org:1", "k", [] { return std::string("v1"); });
  REQUIRE(process.cache.get_local("org:1", "k"));

  server.pause();
  const auto paused_at = std::chrono::steady_clock::now();
  REQUIRE(eventually([&] { return !process.generations.trusted(); }, 1s));
  const auto noticed = std::chrono::steady_clock::now() - paused_at;
  INFO("noticed after " << std::chrono::duration_cast<std::chrono::milliseconds>(noticed).count() << " ms");
  CHECK(noticed < 400ms);  // at most two ping intervals and a tick
  CHECK_FALSE(process.cache.get_local("org:1", "k"));
  // Still answering, from the loader (the first call may wait one command timeout).
  CHECK(*process.cache.get_or_load("org:1", "k", [] { return std::string("v2"); }) == "v2");

  server.resume();
  CHECK(eventually([&] { return process.generations.trusted(); }, 3s));
}
