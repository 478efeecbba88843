#include <catch2/catch.hpp>

#include "fake_clock.hpp"
#include "promptsales/common/cache/health_gate.hpp"

using namespace std::chrono_literals;
using promptsales::cache::BackoffPolicy;
using promptsales::cache::HealthGate;
using promptsales::cache::testing::FakeClock;

TEST_CASE("health gate: healthy lets everything through", "[cache][health]") {
  FakeClock clock;
  HealthGate gate(BackoffPolicy{500ms, 5000ms}, clock.fn());
  CHECK(gate.healthy());
  CHECK(gate.allow());
  CHECK_FALSE(gate.succeeded());  // no outage to end
}

TEST_CASE("health gate: fails fast, then one probe per doubling interval", "[cache][health]") {
  FakeClock clock;
  HealthGate gate(BackoffPolicy{500ms, 2000ms}, clock.fn());

  CHECK(gate.failed());        // the outage begins
  CHECK_FALSE(gate.failed());  // a call that was already in flight: not a new outage
  CHECK_FALSE(gate.healthy());
  CHECK(gate.current_delay() == 500ms);
  CHECK_FALSE(gate.allow());

  clock.advance(499ms);
  CHECK_FALSE(gate.allow());
  clock.advance(1ms);
  CHECK(gate.allow());        // the probe
  CHECK_FALSE(gate.allow());  // everyone else still fails fast

  gate.failed();  // the probe failed: 1 s
  CHECK(gate.current_delay() == 1000ms);
  clock.advance(999ms);
  CHECK_FALSE(gate.allow());
  clock.advance(1ms);
  CHECK(gate.allow());
  gate.failed();  // 2 s
  clock.advance(2000ms);
  CHECK(gate.allow());
  gate.failed();  // capped at 2 s
  CHECK(gate.current_delay() == 2000ms);

  clock.advance(2000ms);
  CHECK(gate.allow());
  CHECK(gate.succeeded());  // the outage ends
  CHECK(gate.healthy());
  CHECK(gate.allow());

  gate.failed();  // a new outage starts from the initial interval again
  CHECK(gate.current_delay() == 500ms);
}

TEST_CASE("health gate: a probe that never reports does not block the next one", "[cache][health]") {
  FakeClock clock;
  HealthGate gate(BackoffPolicy{100ms, 1000ms}, clock.fn());
  gate.failed();
  clock.advance(100ms);
  CHECK(gate.allow());  // this probe hangs forever
  clock.advance(100ms);
  CHECK(gate.allow());
}

TEST_CASE("health gate: reset ends the interval early", "[cache][health]") {
  FakeClock clock;
  HealthGate gate(BackoffPolicy{5000ms, 5000ms}, clock.fn());
  gate.failed();
  CHECK_FALSE(gate.allow());
  gate.reset();
  CHECK(gate.allow());
  CHECK_FALSE(gate.allow());
}
