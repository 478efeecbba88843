#include <catch2/catch.hpp>

#include "promptsales/common/rate_limiter.hpp"

using promptsales::RateLimit;
using promptsales::RateLimiter;
using namespace std::chrono_literals;

TEST_CASE("rate limiter: a burst is allowed, then the rate, per key", "[common][rate]") {
  RateLimiter limiter(RateLimit{10, 5});
  const auto t0 = RateLimiter::Clock::now();
  for (int i = 0; i < 5; ++i) REQUIRE(limiter.take("a", t0).allowed);
  const auto refused = limiter.take("a", t0);
  CHECK_FALSE(refused.allowed);
  CHECK(refused.retry_after_seconds == 1);
  CHECK(limiter.take("b", t0).allowed);  // other keys are unaffected
  CHECK(limiter.take("a", t0 + 100ms).allowed);  // one token refilled
  CHECK_FALSE(limiter.take("a", t0 + 100ms).allowed);
  CHECK(limiter.take("a", t0 + 10s).allowed);  // back to a full bucket
}

TEST_CASE("rate limiter: Retry-After covers the wait for a slow rate", "[common][rate]") {
  RateLimiter limiter(RateLimit{0.1, 1});
  const auto t0 = RateLimiter::Clock::now();
  CHECK(limiter.take("k", t0).allowed);
  const auto d = limiter.take("k", t0);
  CHECK_FALSE(d.allowed);
  CHECK(d.retry_after_seconds == 10);
}

TEST_CASE("rate limiter: zero rate means unlimited, memory stays bounded", "[common][rate]") {
  RateLimiter off(RateLimit{0, 0});
  for (int i = 0; i < 1000; ++i) REQUIRE(off.take("x").allowed);
  RateLimiter small(RateLimit{1, 1}, 16);
  const auto t0 = RateLimiter::Clock::now();
  for (int i = 0; i < 10'000; ++i) small.take("client-" + std::to_string(i), t0);
  // A fresh key still gets its burst after heavy churn.
  CHECK(small.take("newcomer", t0).allowed);
}
