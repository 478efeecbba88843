#include "promptsales/common/metrics/registry.hpp"

#include <algorithm>
#include <stdexcept>

#include "promptsales/common/metrics/text_format.hpp"

namespace promptsales::metrics {
namespace {

// Names a family occupies in the exposition. A histogram also writes
// name_bucket, name_sum and name_count, which must not collide with other
// families (a counter "x_count" next to a histogram "x" breaks the parser).
std::vector<std::string> exposed_names(const FamilyDescriptor& family) {
  std::vector<std::string> names{family.name};
  if (family.type == MetricType::histogram) {
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      names.push_back(family.name + suffix);
    }
  }
  return names;
}

}  // namespace

Registry::Registry() = default;
Registry::~Registry() = default;

CounterFamily& Registry::counter(std::string name, std::string help,
                                 std::vector<std::string> label_names) {
  return add(std::make_unique<CounterFamily>(std::move(name), std::move(help),
                                             std::move(label_names)));
}

GaugeFamily& Registry::gauge(std::string name, std::string help,
                             std::vector<std::string> label_names) {
  return add(std::make_unique<GaugeFamily>(std::move(name), std::move(help),
                                           std::move(label_names)));
}

HistogramFamily& Registry::histogram(std::string name, std::string help,
                                     std::vector<std::string> label_names,
                                     std::vector<double> buckets) {
  return add(std::make_unique<HistogramFamily>(std::move(name), std::move(help),
                                               std::move(label_names),
                                               Histogram::Config(std::move(buckets))));
}

CallbackGaugeFamily& Registry::callback_gauge(std::string name, std::string help,
                                              std::vector<std::string> label_names) {
  return add(std::make_unique<CallbackGaugeFamily>(std::move(name), std::move(help),
                                                   std::move(label_names)));
}

void Registry::add_collector(std::unique_ptr<Collector> collector) {
  std::vector<std::string> names;
  for (const FamilyDescriptor& family : collector->describe()) {
    validate_metric_name(family.name);
    for (std::string& name : exposed_names(family)) {
      names.push_back(std::move(name));
    }
  }
  std::lock_guard lock(mutex_);
  for (auto it = names.begin(); it != names.end(); ++it) {
    if (taken_names_.contains(*it) || std::find(names.begin(), it, *it) != it) {
      throw std::invalid_argument("metric name \"" + *it + "\" is already registered");
    }
  }
  taken_names_.insert(names.begin(), names.end());
  collectors_.push_back(std::move(collector));
}

std::vector<MetricFamilySnapshot> Registry::collect() const {
  std::vector<MetricFamilySnapshot> families;
  {
    std::lock_guard lock(mutex_);
    families.reserve(collectors_.size());
    for (const auto& collector : collectors_) {
      collector->collect(families);
    }
  }
  std::sort(families.begin(), families.end(),
            [](const MetricFamilySnapshot& a, const MetricFamilySnapshot& b) { return a.name < b.name; });
  return families;
}

std::string Registry::render() const { return render_text(collect()); }

}  // namespace promptsales::metrics
