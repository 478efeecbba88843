#include "promptsales/common/loadgen/histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace promptsales::loadgen {
namespace {

// Values below kSub get one bucket each; above, every power of two is split
// into kSub equal buckets, so a bucket is at most 1/kSub of its lowest value.
constexpr unsigned kSubBits = 7;
constexpr std::uint64_t kSub = std::uint64_t{1} << kSubBits;

}  // namespace

std::size_t LatencyHistogram::index_of(std::uint64_t micros) noexcept {
  if (micros < kSub) {
    return static_cast<std::size_t>(micros);
  }
  const auto exponent = static_cast<unsigned>(std::bit_width(micros)) - 1;
  const unsigned group = exponent - kSubBits;
  const std::uint64_t mantissa = micros >> group;  // in [kSub, 2*kSub)
  return static_cast<std::size_t>(kSub + group * kSub + (mantissa - kSub));
}

std::uint64_t LatencyHistogram::bucket_low(std::size_t index) noexcept {
  if (index < kSub) {
    return index;
  }
  const std::size_t offset = index - kSub;
  const std::size_t group = offset / kSub;
  return (kSub + offset % kSub) << group;
}

std::uint64_t LatencyHistogram::bucket_width(std::size_t index) noexcept {
  return index < kSub ? 1 : std::uint64_t{1} << ((index - kSub) / kSub);
}

LatencyHistogram::LatencyHistogram() : counts_(index_of(kHighestTrackableMicros) + 1, 0) {}

void LatencyHistogram::record(std::uint64_t micros) noexcept {
  ++counts_[index_of(std::min(micros, kHighestTrackableMicros))];
  if (total_ == 0 || micros < min_) {
    min_ = micros;
  }
  max_ = std::max(max_, micros);
  sum_ += micros;
  ++total_;
}

void LatencyHistogram::merge(const LatencyHistogram& other) noexcept {
  if (other.total_ == 0) {
    return;
  }
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    counts_[i] += other.counts_[i];
  }
  min_ = total_ == 0 ? other.min_ : std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
  total_ += other.total_;
}

void LatencyHistogram::reset() noexcept {
  std::fill(counts_.begin(), counts_.end(), 0);
  total_ = sum_ = min_ = max_ = 0;
}

double LatencyHistogram::mean() const noexcept {
  return total_ == 0 ? 0.0 : static_cast<double>(sum_) / static_cast<double>(total_);
}

std::uint64_t LatencyHistogram::percentile(double q) const noexcept {
  if (total_ == 0) {
    return 0;
  }
  q = std::clamp(q, 0.0, 1.0);
  // The small epsilon keeps q*n that should be an integer (0.95*1000) from
  // rounding up to the next rank through binary floating point.
  const auto wanted = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(total_) - 1e-9));
  const std::uint64_t rank = std::clamp<std::uint64_t>(wanted, 1, total_);
  if (rank == 1) {
    return min_;
  }
  if (rank == total_) {
    return max_;
  }
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      // The bucket's middle halves the worst-case error; the exact extremes
      // are better answers when they fall inside the bucket.
      const std::uint64_t middle = bucket_low(i) + bucket_width(i) / 2;
      return std::clamp(middle, min_, max_);
    }
  }
  return max_;
}

}  // namespace promptsales::loadgen
