#include "promptsales/common/metrics/histogram.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

#include "promptsales/common/metrics/text_format.hpp"

namespace promptsales::metrics {

std::vector<double> default_latency_buckets() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
          0.05,   0.1,     0.25,   0.5,   1.0,    2.5,   5.0,  10.0};
}

Histogram::Config::Config(std::vector<double> bounds) : bounds_(std::move(bounds)) {
  if (!bounds_.empty() && bounds_.back() == std::numeric_limits<double>::infinity()) {
    bounds_.pop_back();
  }
  if (bounds_.empty()) {
    throw std::invalid_argument("a histogram needs at least one finite bucket bound");
  }
  for (std::size_t i = 0; i < bounds_.size(); ++i) {
    if (!std::isfinite(bounds_[i])) {
      throw std::invalid_argument("histogram bucket bounds must be finite (+Inf is implicit)");
    }
    if (i > 0 && !(bounds_[i - 1] < bounds_[i])) {
      throw std::invalid_argument("histogram bucket bounds must be strictly increasing");
    }
  }
}

Histogram::Histogram(const Config& config)
    : bounds_(config.bounds()),
      buckets_(std::make_unique<std::atomic<std::uint64_t>[]>(bounds_.size() + 1)) {}

std::uint64_t Histogram::count() const noexcept {
  std::uint64_t total = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    total += buckets_[i].load(std::memory_order_relaxed);
  }
  return total;
}

double Histogram::sum() const noexcept { return sum_.load(std::memory_order_relaxed); }

std::vector<std::uint64_t> Histogram::cumulative_counts() const {
  std::vector<std::uint64_t> counts(bounds_.size() + 1);
  std::uint64_t running = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    counts[i] = running;
  }
  return counts;
}

void Histogram::collect(const LabelPairs& labels, std::vector<Sample>& out) const {
  // Each slot is read once, so the buckets are cumulative and the +Inf bucket
  // equals _count even while observations race with the scrape.
  const std::vector<std::uint64_t> counts = cumulative_counts();
  for (std::size_t i = 0; i < counts.size(); ++i) {
    Sample bucket{"_bucket", labels, static_cast<double>(counts[i])};
    bucket.labels.emplace_back("le", i < bounds_.size() ? format_value(bounds_[i]) : "+Inf");
    out.push_back(std::move(bucket));
  }
  out.push_back(Sample{"_sum", labels, sum()});
  out.push_back(Sample{"_count", labels, static_cast<double>(counts.back())});
}

}  // namespace promptsales::metrics
