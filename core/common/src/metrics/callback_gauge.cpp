#include "promptsales/common/metrics/callback_gauge.hpp"

#include <exception>
#include <stdexcept>
#include <string_view>
#include <utility>

#include "promptsales/common/metrics/family.hpp"
#include "promptsales/common/metrics/names.hpp"

namespace promptsales::metrics {

CallbackGaugeFamily::CallbackGaugeFamily(std::string name, std::string help,
                                         std::vector<std::string> label_names)
    : name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)) {
  validate_family(name_, help_, label_names_, MetricType::gauge);
}

void CallbackGaugeFamily::set(std::vector<std::string> label_values,
                              std::function<double()> callback) {
  if (!callback) {
    throw std::invalid_argument("callback gauge \"" + name_ + "\" needs a callback");
  }
  const std::vector<std::string_view> views(label_values.begin(), label_values.end());
  detail::check_label_values(name_, label_names_.size(), views);
  std::lock_guard lock(mutex_);
  callbacks_.insert_or_assign(std::move(label_values), std::move(callback));
}

void CallbackGaugeFamily::remove(const std::vector<std::string>& label_values) {
  std::lock_guard lock(mutex_);
  callbacks_.erase(label_values);
}

std::vector<FamilyDescriptor> CallbackGaugeFamily::describe() const {
  return {{name_, MetricType::gauge}};
}

void CallbackGaugeFamily::collect(std::vector<MetricFamilySnapshot>& out) const {
  MetricFamilySnapshot snapshot{name_, help_, MetricType::gauge, {}};
  {
    std::lock_guard lock(mutex_);
    for (const auto& [values, callback] : callbacks_) {
      double value = 0.0;
      try {
        value = callback();
      } catch (const std::exception&) {
        // One failing source (a pool being torn down) must not fail the
        // whole scrape; a missing series is how Prometheus says "unknown".
        continue;
      }
      snapshot.samples.push_back(Sample{"", detail::make_label_pairs(label_names_, values), value});
    }
  }
  out.push_back(std::move(snapshot));
}

}  // namespace promptsales::metrics
