#include <nlohmann/json.hpp>
#include <string>

#include "promptsales/common/loadgen/report.hpp"

namespace promptsales::loadgen {
namespace {

nlohmann::json optional_pods(const std::optional<unsigned>& pods) {
  return pods ? nlohmann::json(*pods) : nlohmann::json(nullptr);
}

}  // namespace

// Field names are a contract with CI scripts and agents: add fields, never
// rename or remove them.
std::string render_json(const BenchmarkReport& report) {
  const LoadOptions& o = report.options;
  const RunResult& r = report.result;
  const CapacityPlan& plan = report.plan;
  const CapacityTargets& t = plan.targets;
  using nlohmann::json;

  json codes = json::object();
  for (const auto& [code, count] : r.status.codes) {
    codes[std::to_string(code)] = count;
  }
  json misses = json::array();
  for (const auto& miss : plan.misses) {
    misses.push_back(miss);
  }

  const json document = {
      {"run",
       {{"url", o.url},
        {"connections", o.connections},
        {"threads", o.threads},
        {"duration_s", static_cast<double>(o.duration.count()) / 1000.0},
        {"warmup_s", static_cast<double>(o.warmup.count()) / 1000.0},
        {"timeout_ms", o.timeout.count()},
        {"rate_rps", o.rate}}},
      {"results",
       {{"measured_seconds", r.measured_seconds},
        {"requests", r.requests},
        {"requests_per_second", r.requests_per_second},
        {"operations_per_minute", r.operations_per_minute},
        {"successful_operations_per_minute", r.successful_per_minute},
        {"latency_ms",
         {{"p50", r.latency.p50},
          {"p90", r.latency.p90},
          {"p95", r.latency.p95},
          {"p99", r.latency.p99},
          {"p999", r.latency.p999},
          {"max", r.latency.max},
          {"mean", r.latency.mean}}},
        {"status",
         {{"1xx", r.status.in_class(1)},
          {"2xx", r.status.in_class(2)},
          {"3xx", r.status.in_class(3)},
          {"4xx", r.status.in_class(4)},
          {"5xx", r.status.in_class(5)},
          {"codes", codes}}},
        {"errors",
         {{"connect", r.errors.connect},
          {"read", r.errors.read},
          {"write", r.errors.write},
          {"timeout", r.errors.timeout},
          {"closed", r.errors.closed},
          {"protocol", r.errors.protocol},
          {"total", r.errors.total()}}},
        {"error_rate", r.error_rate()},
        {"bytes_read", r.bytes_read},
        {"connections_opened", r.connections_opened}}},
      {"capacity",
       {{"measured_opm_per_pod", plan.input.measured_opm},
        {"headroom", t.headroom},
        {"usable_opm_per_pod", plan.usable_opm_per_pod},
        {"target_opm", t.target_opm},
        {"pods_for_target", optional_pods(plan.pods_for_target)},
        {"scale_factor", t.scale_factor},
        {"scaled_target_opm", t.target_opm * t.scale_factor},
        {"pods_for_scale", optional_pods(plan.pods_for_scale)},
        {"min_pods", t.min_pods},
        {"max_pods", t.max_pods},
        {"rate_limited", o.rate > 0}}},
      {"verdict",
       {{"meets_target", plan.meets_target()},
        {"throughput_ok", plan.throughput_ok},
        {"latency_ok", plan.latency_ok},
        {"errors_ok", plan.errors_ok},
        {"scale_ok", plan.scale_ok},
        {"target_p95_ms", t.target_p95_ms},
        {"max_error_rate", t.max_error_rate},
        {"misses", misses}}},
  };
  return document.dump();
}

}  // namespace promptsales::loadgen
