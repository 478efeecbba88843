#pragma once
/// Log-linear latency histogram (HdrHistogram-like) for the load generator.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace promptsales::loadgen {

/// Counts latencies from 1 µs to 60 s in buckets no wider than 1/128 of
/// their value, so any percentile is within 0.4% of the exact one. Recording
/// is O(1) and allocation-free: each load thread owns one, and the threads'
/// histograms are merged after the run.
class LatencyHistogram {
 public:
  /// Largest value kept apart; larger values share the top bucket (max() stays exact).
  static constexpr std::uint64_t kHighestTrackableMicros = 60'000'000;

  LatencyHistogram();

  /// Records one latency in microseconds.
  void record(std::uint64_t micros) noexcept;
  /// Adds every value recorded in `other`.
  void merge(const LatencyHistogram& other) noexcept;
  /// Forgets every value.
  void reset() noexcept;

  /// Number of recorded values.
  std::uint64_t count() const noexcept { return total_; }
  /// Smallest recorded value (0 when empty).
  std::uint64_t min() const noexcept { return total_ == 0 ? 0 : min_; }
  /// Largest recorded value, exact even above the trackable range (0 when empty).
  std::uint64_t max() const noexcept { return max_; }
  /// Arithmetic mean of the exact values (0 when empty).
  double mean() const noexcept;
  /// Value at quantile `q` in [0, 1]: the ceil(q*count)-th smallest, within 0.4%.
  std::uint64_t percentile(double q) const noexcept;

 private:
  static std::size_t index_of(std::uint64_t micros) noexcept;
  static std::uint64_t bucket_low(std::size_t index) noexcept;
  static std::uint64_t bucket_width(std::size_t index) noexcept;

  std::vector<std::uint64_t> counts_;
  std::uint64_t total_ = 0;
  std::uint64_t sum_ = 0;
  std::uint64_t min_ = 0;
  std::uint64_t max_ = 0;
};

}  // namespace promptsales::loadgen
