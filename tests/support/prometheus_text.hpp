#pragma once
/// Reading a Prometheus text-format scrape in tests.

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace promptsales::test {

struct MetricSample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

/// Every sample line (comments skipped). Label values are unescaped.
std::vector<MetricSample> parse_metric_samples(const std::string& text);

/// The sum of the samples named `name` whose labels include all of
/// `labels`; nullopt when none matches.
std::optional<double> metric_value(const std::string& text, const std::string& name,
                                   const std::map<std::string, std::string>& labels = {});

}  // namespace promptsales::test
