#pragma once
/// A distribution of observations (latencies, sizes) in cumulative buckets.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "promptsales/common/metrics/sample.hpp"

namespace promptsales::metrics {

/// Latency bounds in seconds, 100 µs to 10 s. Dense below 1 ms because the
/// API's hot path (cached campaign pages) answers in well under a millisecond,
/// and the usual 5 ms first bucket would put every such request in one bucket.
std::vector<double> default_latency_buckets();

/// One labelled histogram series. observe() is lock-free: one atomic add on
/// the matching bucket and a compare-and-swap add on the sum.
class Histogram {
 public:
  /// Bucket upper bounds shared by every child of a family.
  class Config {
   public:
    /// Validates `bounds`: non-empty, finite, strictly increasing; a trailing
    /// +Inf is accepted and dropped (it is always exposed). Throws
    /// std::invalid_argument otherwise.
    explicit Config(std::vector<double> bounds = default_latency_buckets());
    /// The finite upper bounds, ascending.
    std::span<const double> bounds() const noexcept { return bounds_; }

   private:
    std::vector<double> bounds_;
  };

  static constexpr MetricType type = MetricType::histogram;

  /// Creates empty buckets for `config`, which must outlive this object (the
  /// family owns both).
  explicit Histogram(const Config& config);
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  /// Records one observation. NaN lands in the +Inf bucket, as in other
  /// Prometheus clients.
  void observe(double value) noexcept {
    // First bound with value <= bound; written as a partition so that NaN,
    // which compares false with everything, falls through to +Inf.
    const auto it = std::partition_point(bounds_.begin(), bounds_.end(),
                                         [value](double bound) { return !(value <= bound); });
    const auto index = static_cast<std::size_t>(it - bounds_.begin());
    buckets_[index].fetch_add(1, std::memory_order_relaxed);
    sum_.fetch_add(value, std::memory_order_relaxed);
  }

  /// Records a duration in seconds, the Prometheus base unit.
  template <class Rep, class Period>
  void observe(std::chrono::duration<Rep, Period> elapsed) noexcept {
    observe(std::chrono::duration<double>(elapsed).count());
  }

  /// Number of observations so far.
  std::uint64_t count() const noexcept;
  /// Sum of observations so far.
  double sum() const noexcept;
  /// Cumulative counts per finite bound, then the +Inf bucket (== count()).
  std::vector<std::uint64_t> cumulative_counts() const;

  /// Appends `_bucket` lines (with `le`), `_sum` and `_count`, labelled with `labels`.
  void collect(const LabelPairs& labels, std::vector<Sample>& out) const;

 private:
  std::span<const double> bounds_;
  // One slot per finite bound plus +Inf, non-cumulative so observe() touches
  // one slot; collect() accumulates. _count is derived from the slots, which
  // keeps it equal to the +Inf bucket in every scrape.
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;
  std::atomic<double> sum_{0.0};
};

}  // namespace promptsales::metrics
