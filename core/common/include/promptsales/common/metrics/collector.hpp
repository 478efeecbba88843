#pragma once
/// The interface between the registry and anything that produces metrics:
/// the built-in families, callback gauges and the process collector.

#include <vector>

#include "promptsales/common/metrics/sample.hpp"

namespace promptsales::metrics {

/// A source of metric families, owned by a Registry and asked at each scrape.
class Collector {
 public:
  Collector() = default;
  Collector(const Collector&) = delete;
  Collector& operator=(const Collector&) = delete;
  virtual ~Collector() = default;

  /// The families this collector exposes. Called once, at registration, so
  /// that name clashes fail at start-up instead of producing a bad scrape.
  virtual std::vector<FamilyDescriptor> describe() const = 0;

  /// Appends the current state of every family. Called on each scrape, from
  /// whichever thread serves /metrics, concurrently with updates.
  virtual void collect(std::vector<MetricFamilySnapshot>& out) const = 0;
};

}  // namespace promptsales::metrics
