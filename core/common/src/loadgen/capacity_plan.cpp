#include "promptsales/common/loadgen/capacity_plan.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace promptsales::loadgen {
namespace {

// Beyond this a pod count means "no realistic deployment"; the cap keeps the
// conversion to unsigned defined for a pod that barely served anything.
constexpr double kPodCountCap = 1e9;

std::optional<unsigned> pods_for(double target_opm, double usable_opm_per_pod, unsigned min_pods) {
  if (usable_opm_per_pod <= 0) {
    return std::nullopt;
  }
  // The epsilon keeps an exact fit (target = k * usable) from rounding up to
  // k+1 through floating point.
  const double needed = std::ceil(target_opm / usable_opm_per_pod - 1e-9);
  const double capped = std::min(std::max(needed, 0.0), kPodCountCap);
  return std::max(min_pods, static_cast<unsigned>(capped));
}

std::string format(const char* fmt, double a, double b) {
  char buf[160];
  std::snprintf(buf, sizeof buf, fmt, a, b);
  return buf;
}

}  // namespace

CapacityPlan plan_capacity(const CapacityInput& input, const CapacityTargets& targets) {
  CapacityPlan plan;
  plan.targets = targets;
  plan.input = input;
  plan.usable_opm_per_pod = std::max(0.0, input.measured_opm * targets.headroom);
  const double scaled_opm = targets.target_opm * targets.scale_factor;
  plan.pods_for_target = pods_for(targets.target_opm, plan.usable_opm_per_pod, targets.min_pods);
  plan.pods_for_scale = pods_for(scaled_opm, plan.usable_opm_per_pod, targets.min_pods);

  plan.throughput_ok = input.measured_opm >= targets.target_opm;
  plan.latency_ok = input.p95_ms <= targets.target_p95_ms;
  plan.errors_ok = input.error_rate <= targets.max_error_rate;
  plan.scale_ok = plan.pods_for_scale.has_value() && *plan.pods_for_scale <= targets.max_pods;

  if (!plan.throughput_ok) {
    plan.misses.push_back(format("throughput %.0f ops/min is below the target %.0f ops/min", input.measured_opm,
                                 targets.target_opm));
  }
  if (!plan.latency_ok) {
    plan.misses.push_back(format("p95 latency %.1f ms exceeds %.1f ms", input.p95_ms, targets.target_p95_ms));
  }
  if (!plan.errors_ok) {
    plan.misses.push_back(format("error rate %.3f%% exceeds the budget of %.3f%%", input.error_rate * 100,
                                 targets.max_error_rate * 100));
  }
  if (!plan.scale_ok) {
    if (plan.pods_for_scale) {
      plan.misses.push_back(format("%.0fx the target needs %.0f pods", targets.scale_factor,
                                   static_cast<double>(*plan.pods_for_scale)) +
                            ", more than the maximum of " + std::to_string(targets.max_pods));
    } else {
      plan.misses.push_back("no successful operations: capacity cannot be planned");
    }
  }
  return plan;
}

CapacityInput capacity_input(const RunResult& result) {
  return CapacityInput{result.successful_per_minute, result.latency.p95, result.error_rate()};
}

}  // namespace promptsales::loadgen
