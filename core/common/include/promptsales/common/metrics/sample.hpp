#pragma once
/// The values a collector hands to the exposition renderer at scrape time.
/// Plain data, copied out of the atomics, so rendering never holds a lock
/// that the hot path could wait on.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace promptsales::metrics {

/// The metric types this library exposes.
enum class MetricType { counter, gauge, histogram };

/// The word Prometheus expects on a `# TYPE` line.
constexpr std::string_view type_name(MetricType type) noexcept {
  switch (type) {
    case MetricType::counter: return "counter";
    case MetricType::gauge: return "gauge";
    case MetricType::histogram: return "histogram";
  }
  return "untyped";
}

/// Label name and value pairs, in exposition order.
using LabelPairs = std::vector<std::pair<std::string, std::string>>;

/// One exposition line: family name + suffix, labels, value.
struct Sample {
  std::string suffix;  ///< appended to the family name: "", "_bucket", "_sum", "_count"
  LabelPairs labels;
  double value = 0.0;
};

/// A family's HELP, TYPE and samples as of one scrape.
struct MetricFamilySnapshot {
  std::string name;
  std::string help;
  MetricType type = MetricType::gauge;
  std::vector<Sample> samples;
};

/// What a collector promises to expose; the registry checks these for clashes.
struct FamilyDescriptor {
  std::string name;
  MetricType type = MetricType::gauge;
};

}  // namespace promptsales::metrics
