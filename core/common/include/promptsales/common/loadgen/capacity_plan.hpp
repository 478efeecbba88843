#pragma once
/// Sizing the API deployment from a measured per-pod throughput.

#include <optional>
#include <string>
#include <vector>

#include "promptsales/common/loadgen/run_result.hpp"

namespace promptsales::loadgen {

/// The product's targets and the sizing policy; defaults are the requirement's.
struct CapacityTargets {
  double target_opm = 100'000;   ///< operations per minute the deployment must sustain
  double scale_factor = 10;      ///< growth it must absorb by adding pods
  double headroom = 0.6;         ///< fraction of measured capacity a pod is planned to run at
  unsigned min_pods = 2;         ///< floor for availability: one pod may fail
  unsigned max_pods = 20;        ///< ceiling of the autoscaler
  double target_p95_ms = 2'500;  ///< latency objective
  double max_error_rate = 0.001; ///< error budget: failed attempts over all attempts
};

/// What a run measured on one pod.
struct CapacityInput {
  double measured_opm = 0;  ///< successful operations per minute
  double p95_ms = 0;
  double error_rate = 0;
};

/// The pods needed for the target and its scaled version, and the verdict.
struct CapacityPlan {
  CapacityTargets targets;
  CapacityInput input;
  double usable_opm_per_pod = 0;          ///< measured_opm * headroom
  std::optional<unsigned> pods_for_target; ///< empty when the pod served nothing
  std::optional<unsigned> pods_for_scale;  ///< pods for target_opm * scale_factor
  bool throughput_ok = false;  ///< the run itself sustained target_opm
  bool latency_ok = false;     ///< p95 within target_p95_ms
  bool errors_ok = false;      ///< error rate within max_error_rate
  bool scale_ok = false;       ///< the scaled target fits in max_pods
  std::vector<std::string> misses;  ///< one sentence per failed check

  /// All checks passed.
  bool meets_target() const noexcept { return throughput_ok && latency_ok && errors_ok && scale_ok; }
};

/// Pods needed for `targets` given `input`: ceil(target / (measured * headroom)),
/// at least min_pods; plus the latency, error-budget and scale checks.
CapacityPlan plan_capacity(const CapacityInput& input, const CapacityTargets& targets);

/// The capacity input a run provides: 2xx per minute, p95 and error rate.
CapacityInput capacity_input(const RunResult& result);

}  // namespace promptsales::loadgen
