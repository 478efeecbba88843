#pragma once
/// A value that goes up and down (requests in flight, queue length).

#include <atomic>
#include <vector>

#include "promptsales/common/metrics/sample.hpp"

namespace promptsales::metrics {

/// One labelled gauge series. Updates are lock-free and may come from any
/// thread; the object is owned by its Family and never moves.
class Gauge {
 public:
  /// Family-wide settings handed to each child; gauges have none.
  struct Config {};

  static constexpr MetricType type = MetricType::gauge;

  Gauge() = default;
  /// Constructs a child for a family (the config carries nothing).
  explicit Gauge(const Config& /*config*/) {}
  Gauge(const Gauge&) = delete;
  Gauge& operator=(const Gauge&) = delete;

  /// Replaces the value.
  void set(double value) noexcept { value_.store(value, std::memory_order_relaxed); }
  /// Adds `amount` (default 1).
  void inc(double amount = 1.0) noexcept { value_.fetch_add(amount, std::memory_order_relaxed); }
  /// Subtracts `amount` (default 1).
  void dec(double amount = 1.0) noexcept { value_.fetch_sub(amount, std::memory_order_relaxed); }
  /// The current value.
  double value() const noexcept { return value_.load(std::memory_order_relaxed); }

  /// Appends this series' sample, labelled with `labels`.
  void collect(const LabelPairs& labels, std::vector<Sample>& out) const;

 private:
  std::atomic<double> value_{0.0};
};

/// Increments a gauge for the lifetime of a scope and decrements it on any
/// exit, exceptions included, so an in-flight count cannot leak upwards.
class ScopedGaugeIncrement {
 public:
  /// Increments `gauge`, which must outlive this object.
  explicit ScopedGaugeIncrement(Gauge& gauge) noexcept : gauge_(gauge) { gauge_.inc(); }
  ScopedGaugeIncrement(const ScopedGaugeIncrement&) = delete;
  ScopedGaugeIncrement& operator=(const ScopedGaugeIncrement&) = delete;
  ~ScopedGaugeIncrement() { gauge_.dec(); }

 private:
  Gauge& gauge_;
};

}  // namespace promptsales::metrics
