// Updates from many threads on one child lose nothing, and scrapes may run
// while they happen.

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "promptsales/common/metrics/registry.hpp"

using namespace promptsales::metrics;

namespace {

constexpr int kThreads = 8;
constexpr int kPerThread = 100'000;

template <class Work>
void run_threads(Work work) {
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back(work, t);
  }
  for (auto& thread : threads) {
    thread.join();
  }
}

}  // namespace

TEST_CASE("8 threads x 100k increments on one counter child give an exact total") {
  Registry registry;
  auto& family = registry.counter("promptsales_http_requests_total", "h", {"route", "method", "status"});
  // Every thread looks the child up itself, so creation races too.
  run_threads([&family](int) {
    Counter& child = family.labels({"campaigns_list", "GET", "200"});
    for (int i = 0; i < kPerThread; ++i) {
      child.inc();
    }
  });
  CHECK(family.labels({"campaigns_list", "GET", "200"}).value() == kThreads * kPerThread);
  CHECK(registry.render().find("status=\"200\"} 800000\n") != std::string::npos);
}

TEST_CASE("fractional counter increments from 8 threads sum exactly") {
  Counter counter;
  run_threads([&counter](int) {
    for (int i = 0; i < kPerThread; ++i) {
      counter.inc(0.5);  // exact in binary, so any lost CAS update would show
    }
  });
  CHECK(counter.value() == kThreads * kPerThread * 0.5);
}

TEST_CASE("8 threads x 100k observations on one histogram child give exact count and sum") {
  Registry registry;
  auto& family = registry.histogram("promptsales_request_duration_seconds", "h", {"route"});
  Histogram& child = family.labels({"campaigns_list"});
  std::atomic<bool> done{false};
  std::atomic<bool> scrape_consistent{true};
  // Scrapes run during the updates; their buckets must stay cumulative.
  // (Catch2 assertions are not thread-safe, so the scraper only records.)
  std::thread scraper([&] {
    while (!done.load()) {
      const auto counts = child.cumulative_counts();
      if (!std::is_sorted(counts.begin(), counts.end())) {
        scrape_consistent = false;
      }
      registry.render();
      // Pause so the scraper overlaps the writers without starving them of
      // one of the machine's two cores.
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  });
  run_threads([&child](int thread) {
    // Spread observations over two buckets. Both values are exact binary
    // fractions (2^-11 and 2^-1), so the sum is exact and a lost CAS update
    // shows as an inequality rather than hiding in rounding.
    const double value = thread % 2 == 0 ? 0.00048828125 : 0.5;
    for (int i = 0; i < kPerThread; ++i) {
      child.observe(value);
    }
  });
  done = true;
  scraper.join();
  CHECK(scrape_consistent);

  CHECK(child.count() == static_cast<std::uint64_t>(kThreads) * kPerThread);
  const auto counts = child.cumulative_counts();
  CHECK(counts[2] == 4u * kPerThread);   // le=0.0005
  CHECK(counts[11] == 8u * kPerThread);  // le=0.5
  CHECK(counts.back() == 8u * kPerThread);
  CHECK(child.sum() == 4.0 * kPerThread * (0.00048828125 + 0.5));
}

TEST_CASE("gauge inc and dec from 8 threads balance to zero") {
  Gauge gauge;
  run_threads([&gauge](int) {
    for (int i = 0; i < kPerThread; ++i) {
      ScopedGaugeIncrement in_flight(gauge);
    }
  });
  CHECK(gauge.value() == 0);
}
