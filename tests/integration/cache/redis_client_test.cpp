#include <catch2/catch.hpp>

#include "redis_test_support.hpp"

using namespace std::chrono_literals;
using namespace promptsales::cache;
using namespace promptsales::cache::testing;

TEST_CASE("redis client: GET, SET EX, MGET, INCR, DEL, PUBLISH, PING", "[cache][redis][integration]") {
  const RedisUrl url = shared_redis();
  const std::string prefix = unique_prefix("client");
  PrefixCleanup cleanup(url, prefix);
  RedisClient redis(RedisClientOptions{url});

  REQUIRE(redis.ping());
  const std::string a = prefix + "a";
  const std::string b = prefix + "b";
  const std::string missing = prefix + "missing";

  auto none = redis.get(missing);
  REQUIRE(none);
  CHECK_FALSE(*none);

  REQUIRE(redis.set_ex(a, std::string("bytes\0with nul", 14), 30s));
  auto value = redis.get(a);
  REQUIRE(value);
  REQUIRE(*value);
  CHECK(**value == std::string("bytes\0with nul", 14));
  auto ttl = redis.command({"TTL", a});
  REQUIRE(ttl);
  CHECK(ttl->integer > 0);
  CHECK(ttl->integer <= 30);

  CHECK(redis.incr(b) == 1);
  CHECK(redis.incr(b) == 2);

  const std::vector<std::string> keys{a, missing, b};
  auto values = redis.mget(keys);
  REQUIRE(values);
  REQUIRE(values->size() == 3);
  CHECK((*values)[0]);
  CHECK_FALSE((*values)[1]);
  CHECK((*values)[2] == std::optional<std::string>("2"));

  CHECK(redis.publish(prefix + "channel", "hello") == 0);  // nobody listens
  CHECK(redis.del(keys) == 2);

  REQUIRE(redis.set_ex(prefix + "text", "not a number", 30s));
  auto error = redis.incr(prefix + "text");
  REQUIRE_FALSE(error);
  CHECK(error.error().kind == RedisErrorKind::server);
  CHECK(redis.healthy());  // Redis answered: an error reply is not an outage
}

TEST_CASE("redis client: many threads share the pool", "[cache][redis][integration]") {
  const RedisUrl url = shared_redis();
  const std::string prefix = unique_prefix("pool");
  PrefixCleanup cleanup(url, prefix);
  RedisClient redis(RedisClientOptions{url, 2});
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        if (!redis.incr(prefix + "counter")) {
          ++failures;
        }
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  CHECK(failures == 0);
  const auto counter = redis.get(prefix + "counter");
  REQUIRE(counter);
  CHECK(counter->value_or("") == "400");
}

TEST_CASE("redis client: AUTH and SELECT on connect, errors never show the password",
          "[cache][redis][integration]") {
  PrivateRedis server(PrivateRedis::Options{false, "s3cret-pw"});
  RedisUrl url = server.url();

  url.db = 2;
  RedisClient db2(RedisClientOptions{url});
  REQUIRE(db2.set_ex("k", "in db 2", 30s));
  url.db = 0;
  RedisClient db0(RedisClientOptions{url});
  auto other = db0.get("k");
  REQUIRE(other);
  CHECK_FALSE(*other);

  RedisUrl wrong = server.url();
  wrong.password = "not-the-password";
  RedisClient bad(RedisClientOptions{wrong});
  auto refused = bad.ping();
  REQUIRE_FALSE(refused);
  CHECK(refused.error().kind == RedisErrorKind::unavailable);
  CHECK_THAT(refused.error().message, Catch::Contains("AUTH") && !Catch::Contains("not-the-password"));
  CHECK_THAT(server.url().redacted(), !Catch::Contains("s3cret-pw"));
}

TEST_CASE("redis client: a dead Redis fails fast and recovers after the backoff", "[cache][redis][integration]") {
  PrivateRedis server(PrivateRedis::Options{});
  RedisClient redis(RedisClientOptions{server.url(), 4, 200ms, 200ms, BackoffPolicy{300ms, 600ms}});
  REQUIRE(redis.set_ex("k", "v", 30s));
  server.kill();

  auto first = redis.get("k");
  REQUIRE_FALSE(first);
  CHECK_FALSE(redis.healthy());

  const auto begin = std::chrono::steady_clock::now();
  for (int i = 0; i < 1000; ++i) {
    auto refused = redis.get("k");
    REQUIRE_FALSE(refused);
    CHECK(refused.error().kind == RedisErrorKind::unavailable);
  }
  CHECK(std::chrono::steady_clock::now() - begin < 50ms);  // no connect attempts while failing fast

  server.start();
  CHECK(eventually([&] { return redis.ping().has_value(); }, 2s));
  CHECK(redis.healthy());
}
