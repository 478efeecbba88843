// The breaker's state machine, with explicit time points (no sleeping).
#include <catch2/catch.hpp>

#include "promptsales/common/outbound/circuit_breaker.hpp"

using promptsales::outbound::CircuitBreaker;
using State = CircuitBreaker::State;
using namespace std::chrono_literals;

TEST_CASE("breaker: opens after the threshold of consecutive failures", "[outbound][breaker]") {
  CircuitBreaker breaker({5, 1000ms});
  const auto t0 = CircuitBreaker::Clock::now();
  for (int i = 0; i < 4; ++i) {
    REQUIRE(breaker.acquire(t0).allowed);
    breaker.on_failure(t0);
  }
  CHECK(breaker.state(t0) == State::closed);
  REQUIRE(breaker.acquire(t0).allowed);
  breaker.on_failure(t0);
  CHECK(breaker.state(t0) == State::open);
  const auto permit = breaker.acquire(t0 + 200ms);
  CHECK_FALSE(permit.allowed);
  CHECK(permit.retry_in == 800ms);
}

TEST_CASE("breaker: a success resets the count", "[outbound][breaker]") {
  CircuitBreaker breaker({3, 1000ms});
  const auto t0 = CircuitBreaker::Clock::now();
  breaker.on_failure(t0);
  breaker.on_failure(t0);
  breaker.on_success();
  breaker.on_failure(t0);
  breaker.on_failure(t0);
  CHECK(breaker.state(t0) == State::closed);
  CHECK(breaker.consecutive_failures() == 2);
}

TEST_CASE("breaker: after the cool-down one trial goes through", "[outbound][breaker]") {
  CircuitBreaker breaker({1, 1000ms});
  const auto t0 = CircuitBreaker::Clock::now();
  breaker.on_failure(t0);
  CHECK_FALSE(breaker.acquire(t0 + 999ms).allowed);
  CHECK(breaker.state(t0 + 1000ms) == State::half_open);
  REQUIRE(breaker.acquire(t0 + 1000ms).allowed);
  // While the trial runs, everyone else still fails fast.
  CHECK_FALSE(breaker.acquire(t0 + 1001ms).allowed);

  SECTION("a successful trial closes it") {
    breaker.on_success();
    CHECK(breaker.state(t0 + 1001ms) == State::closed);
    CHECK(breaker.acquire(t0 + 1001ms).allowed);
  }
  SECTION("a failed trial opens it for another cool-down") {
    breaker.on_failure(t0 + 1100ms);
    CHECK(breaker.state(t0 + 1100ms) == State::open);
    CHECK_FALSE(breaker.acquire(t0 + 2000ms).allowed);
    CHECK(breaker.acquire(t0 + 2100ms).allowed);
  }
  SECTION("an abandoned trial lets the next caller try") {
    breaker.on_abandon();
    CHECK(breaker.acquire(t0 + 1002ms).allowed);
  }
}
