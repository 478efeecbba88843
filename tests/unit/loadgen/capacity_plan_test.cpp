#include <catch2/catch.hpp>

#include "promptsales/common/loadgen/capacity_plan.hpp"

using namespace promptsales::loadgen;

namespace {

CapacityInput healthy(double opm) { return CapacityInput{opm, 120.0, 0.0}; }

}  // namespace

TEST_CASE("capacity plan reproduces the requirement's sizing", "[capacity]") {
  // The requirement: 163,440 ops/min per pod, no headroom: 0.61 -> 2 pods
  // (availability floor) and 6.12 -> 7 pods for 10x.
  CapacityTargets targets;
  targets.headroom = 1.0;
  const auto plan = plan_capacity(healthy(163'440), targets);
  CHECK(plan.pods_for_target == 2u);
  CHECK(plan.pods_for_scale == 7u);
  CHECK(plan.meets_target());
  CHECK(plan.misses.empty());
}

TEST_CASE("capacity plan applies the default 60% headroom", "[capacity]") {
  const auto plan = plan_capacity(healthy(163'440), CapacityTargets{});
  CHECK(plan.usable_opm_per_pod == Approx(98'064));
  CHECK(plan.pods_for_target == 2u);   // 100,000 / 98,064 = 1.02
  CHECK(plan.pods_for_scale == 11u);   // 1,000,000 / 98,064 = 10.2
  CHECK(plan.scale_ok);
}

TEST_CASE("capacity plan never goes below the availability floor", "[capacity]") {
  const auto plan = plan_capacity(healthy(50'000'000), CapacityTargets{});
  CHECK(plan.pods_for_target == 2u);
  CHECK(plan.pods_for_scale == 2u);
  CapacityTargets three;
  three.min_pods = 3;
  CHECK(plan_capacity(healthy(50'000'000), three).pods_for_target == 3u);
}

TEST_CASE("an exact fit does not round up", "[capacity]") {
  CapacityTargets targets;
  targets.headroom = 0.25;
  targets.target_opm = 300'000;
  const auto plan = plan_capacity(healthy(300'000), targets);  // usable 75,000 per pod
  CHECK(plan.pods_for_target == 4u);
  CHECK(plan.pods_for_scale == 40u);
  CHECK_FALSE(plan.scale_ok);  // 40 > 20
  REQUIRE(plan.misses.size() == 1);
  CHECK_THAT(plan.misses[0], Catch::Contains("40 pods"));

  // 0.6 is not exact in binary; 1,200,000 / (1,000,000 * 0.6) must still be 2.
  CapacityTargets inexact;
  inexact.min_pods = 1;
  inexact.target_opm = 1'200'000;
  CHECK(plan_capacity(healthy(1'000'000), inexact).pods_for_target == 2u);
}

TEST_CASE("10x that fits in exactly max pods passes", "[capacity]") {
  CapacityTargets targets;
  targets.headroom = 0.5;
  const auto plan = plan_capacity(healthy(100'000), targets);  // 1,000,000 / 50,000 = 20
  CHECK(plan.pods_for_scale == 20u);
  CHECK(plan.scale_ok);
  CHECK(plan.meets_target());
}

TEST_CASE("capacity verdict checks throughput, latency and error budget at their limits", "[capacity]") {
  const CapacityTargets targets;
  CHECK(plan_capacity({100'000, 2'500, 0.001}, targets).meets_target());

  const auto slow = plan_capacity({200'000, 2'500.5, 0.0}, targets);
  CHECK_FALSE(slow.latency_ok);
  CHECK_FALSE(slow.meets_target());
  CHECK_THAT(slow.misses.at(0), Catch::Contains("p95"));

  const auto failing = plan_capacity({200'000, 10, 0.0011}, targets);
  CHECK_FALSE(failing.errors_ok);
  CHECK_THAT(failing.misses.at(0), Catch::Contains("error rate"));

  const auto short_of_target = plan_capacity({99'999, 10, 0}, targets);
  CHECK_FALSE(short_of_target.throughput_ok);
  CHECK(short_of_target.latency_ok);
  CHECK(short_of_target.errors_ok);
  CHECK_THAT(short_of_target.misses.at(0), Catch::Contains("below the target"));
}

TEST_CASE("a pod that served nothing cannot be planned", "[capacity]") {
  const auto plan = plan_capacity({0, 0, 1.0}, CapacityTargets{});
  CHECK_FALSE(plan.pods_for_target);
  CHECK_FALSE(plan.pods_for_scale);
  CHECK_FALSE(plan.meets_target());
  CHECK(plan.misses.size() == 3);  // throughput, errors, scale
}

TEST_CASE("capacity input comes from 2xx throughput, p95 and all failures", "[capacity]") {
  RunResult r;
  r.requests = 1'000;
  r.status.codes = {{200, 990}, {404, 6}, {500, 4}};
  r.errors.timeout = 10;
  r.successful_per_minute = 59'400;
  r.latency.p95 = 12.5;
  const auto input = capacity_input(r);
  CHECK(input.measured_opm == 59'400);
  CHECK(input.p95_ms == 12.5);
  CHECK(input.error_rate == Approx(20.0 / 1'010.0));
}
