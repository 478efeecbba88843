#pragma once
/// Rendering a benchmark's results for people (table) and for tools (JSON).

#include <string>

#include "promptsales/common/loadgen/capacity_plan.hpp"
#include "promptsales/common/loadgen/load_options.hpp"
#include "promptsales/common/loadgen/run_result.hpp"

namespace promptsales::loadgen {

/// Everything a report shows.
struct BenchmarkReport {
  const LoadOptions& options;  ///< what was run
  const RunResult& result;     ///< what was measured
  const CapacityPlan& plan;    ///< sizing and verdict
};

/// A human-readable report with aligned columns, ending in a newline.
std::string render_table(const BenchmarkReport& report);

/// One JSON object with stable field names (run, results, capacity, verdict), no newline.
std::string render_json(const BenchmarkReport& report);

}  // namespace promptsales::loadgen
