#pragma once
/// Owns the metric families of one process and renders them for /metrics.

#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "promptsales/common/metrics/callback_gauge.hpp"
#include "promptsales/common/metrics/collector.hpp"
#include "promptsales/common/metrics/family.hpp"
#include "promptsales/common/metrics/histogram.hpp"

namespace promptsales::metrics {

/// The set of collectors one /metrics endpoint exposes. Registration and
/// rendering are thread-safe; returned references live as long as the
/// registry. Every registration throws std::invalid_argument on a bad metric
/// or label name, or on a name (or a histogram's _bucket/_sum/_count) that
/// is already taken.
class Registry {
 public:
  Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;
  ~Registry();

  /// Registers a counter family; by convention its name ends in "_total".
  CounterFamily& counter(std::string name, std::string help,
                         std::vector<std::string> label_names = {});

  /// Registers a gauge family.
  GaugeFamily& gauge(std::string name, std::string help,
                     std::vector<std::string> label_names = {});

  /// Registers a histogram family; all children share `buckets` (seconds by
  /// convention, see default_latency_buckets()).
  HistogramFamily& histogram(std::string name, std::string help,
                             std::vector<std::string> label_names = {},
                             std::vector<double> buckets = default_latency_buckets());

  /// Registers a gauge family whose values come from callbacks at scrape time.
  CallbackGaugeFamily& callback_gauge(std::string name, std::string help,
                                      std::vector<std::string> label_names = {});

  /// Registers any other collector and returns it.
  template <class C>
  C& add(std::unique_ptr<C> collector) {
    C& ref = *collector;
    add_collector(std::move(collector));
    return ref;
  }

  /// Snapshots every family, sorted by name.
  std::vector<MetricFamilySnapshot> collect() const;

  /// The text exposition (format 0.0.4) of every family; send it with
  /// kTextContentType.
  std::string render() const;

 private:
  void add_collector(std::unique_ptr<Collector> collector);

  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<Collector>> collectors_;
  std::set<std::string, std::less<>> taken_names_;
};

}  // namespace promptsales::metrics
