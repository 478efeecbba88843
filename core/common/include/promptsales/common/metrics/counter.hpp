#pragma once
/// A monotonically increasing value (requests served, errors, bytes sent).

#include <atomic>
#include <cstdint>
#include <vector>

#include "promptsales/common/metrics/sample.hpp"

namespace promptsales::metrics {

/// One labelled counter series. Updates are lock-free and may come from any
/// thread; the object is owned by its Family and never moves.
class Counter {
 public:
  /// Family-wide settings handed to each child; counters have none.
  struct Config {};

  static constexpr MetricType type = MetricType::counter;

  Counter() = default;
  /// Constructs a child for a family (the config carries nothing).
  explicit Counter(const Config& /*config*/) {}
  Counter(const Counter&) = delete;
  Counter& operator=(const Counter&) = delete;

  /// Adds one: a single relaxed fetch_add on an integer, the cheapest update.
  void inc() noexcept { ones_.fetch_add(1, std::memory_order_relaxed); }

  /// Adds `amount`. Throws std::invalid_argument if it is negative or NaN,
  /// because a counter that goes down breaks rate() in every query.
  void inc(double amount) {
    if (!(amount >= 0.0)) {
      throw_negative(amount);
    }
    amounts_.fetch_add(amount, std::memory_order_relaxed);
  }

  /// The current total.
  double value() const noexcept;

  /// Appends this series' sample, labelled with `labels`.
  void collect(const LabelPairs& labels, std::vector<Sample>& out) const;

 private:
  [[noreturn]] static void throw_negative(double amount);

  // Whole increments and arbitrary amounts are kept apart so that inc(), the
  // common case, is an integer add instead of a compare-and-swap loop.
  std::atomic<std::uint64_t> ones_{0};
  std::atomic<double> amounts_{0.0};
};

}  // namespace promptsales::metrics
