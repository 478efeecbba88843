#pragma once
/// A metric family: one name, HELP text and fixed label names, and one child
/// series per combination of label values.

#include <algorithm>
#include <array>
#include <cstddef>
#include <initializer_list>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "promptsales/common/metrics/collector.hpp"
#include "promptsales/common/metrics/counter.hpp"
#include "promptsales/common/metrics/gauge.hpp"
#include "promptsales/common/metrics/histogram.hpp"
#include "promptsales/common/metrics/names.hpp"

namespace promptsales::metrics {

namespace detail {

/// Orders label-value tuples byte-wise, and compares stored keys with
/// string_view tuples so that looking up an existing child allocates nothing.
struct LabelValuesLess {
  using is_transparent = void;

  template <class A, class B>
  bool operator()(const A& a, const B& b) const noexcept {
    return std::lexicographical_compare(
        a.begin(), a.end(), b.begin(), b.end(),
        [](std::string_view x, std::string_view y) { return x < y; });
  }
};

/// Throws std::invalid_argument for a wrong label-value count or invalid UTF-8.
void check_label_values(std::string_view family, std::size_t expected,
                        std::span<const std::string_view> values);

/// Pairs label names with values, for a snapshot.
LabelPairs make_label_pairs(const std::vector<std::string>& names,
                            const std::vector<std::string>& values);

}  // namespace detail

/// A family of Counter, Gauge or Histogram children. Children are created on
/// first use under a lock and never destroyed before the family, so callers
/// may keep the reference `labels()` returns and update it without any lock.
template <class Child>
class Family final : public Collector {
 public:
  /// Validates the definition (std::invalid_argument on a bad name, label name
  /// or non-UTF-8 help). A family without labels creates its single child at
  /// once, so it is exposed as zero before the first update.
  Family(std::string name, std::string help, std::vector<std::string> label_names,
         typename Child::Config config = typename Child::Config())
      : name_(std::move(name)),
        help_(std::move(help)),
        label_names_(std::move(label_names)),
        config_(std::move(config)) {
    validate_family(name_, help_, label_names_, Child::type);
    if (label_names_.empty()) {
      children_.try_emplace(std::vector<std::string>{}, config_);
    }
  }

  /// The child for `values`, one per label name in declaration order, e.g.
  /// `labels({"campaigns_list", "GET", "200"})`. Throws std::invalid_argument
  /// on a wrong count or invalid UTF-8. Label values should come from a small
  /// fixed set (route names, not raw paths): each combination is a series.
  Child& labels(std::initializer_list<std::string_view> values) {
    return find_or_create(std::span<const std::string_view>(values.begin(), values.size()));
  }

  /// Same as above, for values held in strings.
  Child& labels(std::span<const std::string> values) {
    // Families have a handful of labels: view them from the stack.
    constexpr std::size_t kInline = 8;
    if (values.size() <= kInline) {
      std::array<std::string_view, kInline> views;
      std::copy(values.begin(), values.end(), views.begin());
      return find_or_create(std::span<const std::string_view>(views.data(), values.size()));
    }
    std::vector<std::string_view> views(values.begin(), values.end());
    return find_or_create(std::span<const std::string_view>(views));
  }

  /// The family name.
  const std::string& name() const noexcept { return name_; }
  /// The label names, in the order labels() expects values.
  const std::vector<std::string>& label_names() const noexcept { return label_names_; }

  std::vector<FamilyDescriptor> describe() const override { return {{name_, Child::type}}; }

  void collect(std::vector<MetricFamilySnapshot>& out) const override {
    MetricFamilySnapshot snapshot{name_, help_, Child::type, {}};
    std::shared_lock lock(mutex_);
    for (const auto& [values, child] : children_) {
      child.collect(detail::make_label_pairs(label_names_, values), snapshot.samples);
    }
    lock.unlock();
    out.push_back(std::move(snapshot));
  }

 private:
  Child& find_or_create(std::span<const std::string_view> values) {
    {
      std::shared_lock lock(mutex_);
      if (auto it = children_.find(values); it != children_.end()) {
        return it->second;
      }
    }
    detail::check_label_values(name_, label_names_.size(), values);
    std::unique_lock lock(mutex_);
    // try_emplace: another thread may have created it between the two locks.
    auto [it, inserted] =
        children_.try_emplace(std::vector<std::string>(values.begin(), values.end()), config_);
    return it->second;
  }

  std::string name_;
  std::string help_;
  std::vector<std::string> label_names_;
  typename Child::Config config_;
  mutable std::shared_mutex mutex_;
  // std::map: nodes never move (stable child references) and iteration order
  // is the label values' order, which makes the exposition deterministic.
  std::map<std::vector<std::string>, Child, detail::LabelValuesLess> children_;
};

/// A family of counters.
using CounterFamily = Family<Counter>;
/// A family of gauges.
using GaugeFamily = Family<Gauge>;
/// A family of histograms sharing one set of bucket bounds.
using HistogramFamily = Family<Histogram>;

}  // namespace promptsales::metrics
