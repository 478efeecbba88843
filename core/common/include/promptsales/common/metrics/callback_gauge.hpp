#pragma once
/// Gauges computed at scrape time, for state that already lives elsewhere
/// (database pool usage, cache size): nothing is updated on the hot path.

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "promptsales/common/metrics/collector.hpp"

namespace promptsales::metrics {

/// A gauge family whose series are callbacks, one per label-value tuple.
class CallbackGaugeFamily final : public Collector {
 public:
  /// Validates the definition; throws std::invalid_argument like Family.
  CallbackGaugeFamily(std::string name, std::string help, std::vector<std::string> label_names);

  /// Installs or replaces the callback for `label_values`. It runs at each
  /// scrape under this family's lock: keep it quick, and do not touch the
  /// registry from it. If it throws, that series is left out of the scrape.
  void set(std::vector<std::string> label_values, std::function<double()> callback);

  /// Removes a callback. Once this returns it will not be called again, so
  /// the owner of captured state calls it before that state is destroyed.
  void remove(const std::vector<std::string>& label_values);

  std::vector<FamilyDescriptor> describe() const override;
  void collect(std::vector<MetricFamilySnapshot>& out) const override;

 private:
  std::string name_;
  std::string help_;
  std::vector<std::string> label_names_;
  mutable std::mutex mutex_;
  std::map<std::vector<std::string>, std::function<double()>> callbacks_;
};

}  // namespace promptsales::metrics
