#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "promptsales/common/loadgen/histogram.hpp"

using promptsales::loadgen::LatencyHistogram;

namespace {

// The oracle: the ceil(q*n)-th smallest value, the definition percentile() documents.
std::uint64_t exact_percentile(const std::vector<std::uint64_t>& sorted, double q) {
  const auto n = static_cast<double>(sorted.size());
  const auto rank = std::clamp<std::size_t>(static_cast<std::size_t>(std::ceil(q * n - 1e-9)), 1, sorted.size());
  return sorted[rank - 1];
}

// Log-uniform over [1 µs, 60 s]: every decade of the range gets exercised.
std::vector<std::uint64_t> log_uniform(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> exponent(0.0, std::log(60e6));
  std::vector<std::uint64_t> values(n);
  for (auto& v : values) {
    v = static_cast<std::uint64_t>(std::exp(exponent(rng)));
  }
  return values;
}

const double kQuantiles[] = {0.0, 0.01, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 0.9999, 1.0};

}  // namespace

TEST_CASE("histogram percentiles are within 1% of a sorted-array oracle", "[histogram]") {
  for (const std::uint64_t seed : {1u, 2u, 3u}) {
    auto values = log_uniform(200'000, seed);
    LatencyHistogram h;
    for (auto v : values) {
      h.record(v);
    }
    std::sort(values.begin(), values.end());
    for (const double q : kQuantiles) {
      const auto exact = static_cast<double>(exact_percentile(values, q));
      const auto approx = static_cast<double>(h.percentile(q));
      INFO("seed " << seed << " q " << q << " exact " << exact << " approx " << approx);
      CHECK(std::abs(approx - exact) <= std::max(0.01 * exact, 0.0));
    }
    CHECK(h.count() == values.size());
    CHECK(h.min() == values.front());
    CHECK(h.max() == values.back());
  }
}

TEST_CASE("histogram is exact for small values and tracks the mean exactly", "[histogram]") {
  LatencyHistogram h;
  std::vector<std::uint64_t> values;
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<std::uint64_t> dist(0, 127);
  for (int i = 0; i < 10'000; ++i) {
    values.push_back(dist(rng));
    h.record(values.back());
  }
  std::sort(values.begin(), values.end());
  for (const double q : kQuantiles) {
    CHECK(h.percentile(q) == exact_percentile(values, q));
  }
  double sum = 0;
  for (auto v : values) {
    sum += static_cast<double>(v);
  }
  CHECK(h.mean() == Approx(sum / static_cast<double>(values.size())));
}

TEST_CASE("empty histogram reports zeros", "[histogram]") {
  const LatencyHistogram h;
  CHECK(h.count() == 0);
  CHECK(h.percentile(0.5) == 0);
  CHECK(h.max() == 0);
  CHECK(h.min() == 0);
  CHECK(h.mean() == 0.0);
}

TEST_CASE("values beyond 60 s share the top bucket but max stays exact", "[histogram]") {
  LatencyHistogram h;
  h.record(1'000);
  h.record(LatencyHistogram::kHighestTrackableMicros * 10);
  CHECK(h.max() == LatencyHistogram::kHighestTrackableMicros * 10);
  CHECK(h.percentile(1.0) == h.max());
  CHECK(h.percentile(0.5) == 1'000);
}

TEST_CASE("merging per-thread histograms equals recording into one", "[histogram]") {
  const auto values = log_uniform(100'000, 42);
  LatencyHistogram all;
  LatencyHistogram parts[4];
  for (std::size_t i = 0; i < values.size(); ++i) {
    all.record(values[i]);
    parts[i % 4].record(values[i]);
  }
  LatencyHistogram merged;
  for (const auto& part : parts) {
    merged.merge(part);
  }
  merged.merge(LatencyHistogram{});  // an idle thread changes nothing
  CHECK(merged.count() == all.count());
  CHECK(merged.min() == all.min());
  CHECK(merged.max() == all.max());
  CHECK(merged.mean() == Approx(all.mean()));
  for (const double q : kQuantiles) {
    CHECK(merged.percentile(q) == all.percentile(q));
  }
  merged.reset();
  CHECK(merged.count() == 0);
  CHECK(merged.percentile(0.99) == 0);
}
