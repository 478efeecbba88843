#pragma once
/// The standard process_* metrics operators expect from every exporter, read
/// from procfs at scrape time (Linux only; nothing is sampled in between).

#include <string>
#include <vector>

#include "promptsales/common/metrics/collector.hpp"
#include "promptsales/common/metrics/registry.hpp"

namespace promptsales::metrics {

/// Exposes process_cpu_seconds_total, process_resident_memory_bytes,
/// process_virtual_memory_bytes, process_open_fds, process_max_fds and
/// process_start_time_seconds. A value that cannot be read is left out of
/// that scrape rather than reported as a wrong number.
class ProcessCollector final : public Collector {
 public:
  /// Reads `<proc_root>/self/...` and `<proc_root>/stat`; tests pass a fake root.
  explicit ProcessCollector(std::string proc_root = "/proc");

  std::vector<FamilyDescriptor> describe() const override;
  void collect(std::vector<MetricFamilySnapshot>& out) const override;

 private:
  std::string proc_root_;
  double ticks_per_second_;
  double page_size_bytes_;
};

/// Registers a ProcessCollector reading the real /proc.
void register_process_metrics(Registry& registry);

}  // namespace promptsales::metrics
