// Names, label values and bucket bounds are refused where the mistake is
// made, not discovered as a failed scrape.

#include <catch2/catch.hpp>

#include <limits>
#include <string>
#include <vector>

#include "promptsales/common/metrics/process_collector.hpp"
#include "promptsales/common/metrics/registry.hpp"

using namespace promptsales::metrics;

TEST_CASE("metric names must be plain identifiers") {
  Registry registry;
  for (const char* bad : {"", "1abc", "has-dash", "has space", "colon:name", "ñame", "a.b"}) {
    CAPTURE(bad);
    CHECK_THROWS_AS(registry.counter(bad, "help"), std::invalid_argument);
  }
  CHECK_NOTHROW(registry.counter("_ok_Name9_total", "help"));
}

TEST_CASE("label names must be plain identifiers, unique and not reserved") {
  Registry registry;
  CHECK_THROWS_AS(registry.counter("a_total", "h", {"bad-name"}), std::invalid_argument);
  CHECK_THROWS_AS(registry.counter("b_total", "h", {"9lives"}), std::invalid_argument);
  CHECK_THROWS_AS(registry.counter("c_total", "h", {"__name__"}), std::invalid_argument);
  CHECK_THROWS_AS(registry.counter("d_total", "h", {"route", "route"}), std::invalid_argument);
  CHECK_THROWS_AS(registry.histogram("e_seconds", "h", {"le"}), std::invalid_argument);
  CHECK_NOTHROW(registry.gauge("f", "h", {"le"}));  // only histograms reserve "le"
  CHECK_THROWS_AS(registry.gauge("g", "bad \xff help"), std::invalid_argument);
}

TEST_CASE("a name can be registered once, including a histogram's derived names") {
  Registry registry;
  registry.counter("promptsales_requests_total", "h");
  CHECK_THROWS_AS(registry.counter("promptsales_requests_total", "h"), std::invalid_argument);
  CHECK_THROWS_AS(registry.gauge("promptsales_requests_total", "h"), std::invalid_argument);

  registry.histogram("promptsales_latency_seconds", "h");
  CHECK_THROWS_AS(registry.counter("promptsales_latency_seconds_count", "h"), std::invalid_argument);
  CHECK_THROWS_AS(registry.gauge("promptsales_latency_seconds_bucket", "h"), std::invalid_argument);

  registry.gauge("promptsales_size_sum", "h");
  CHECK_THROWS_AS(registry.histogram("promptsales_size", "h"), std::invalid_argument);

  registry.add(std::make_unique<ProcessCollector>());
  CHECK_THROWS_AS(registry.gauge("process_open_fds", "h"), std::invalid_argument);
  CHECK_THROWS_AS(registry.add(std::make_unique<ProcessCollector>()), std::invalid_argument);
}

TEST_CASE("labels() checks the number of values and UTF-8, and returns a stable child") {
  Registry registry;
  auto& family = registry.counter("promptsales_events_total", "h", {"kind", "source"});
  CHECK_THROWS_AS(family.labels({"only_one"}), std::invalid_argument);
  CHECK_THROWS_AS(family.labels({"a", "b", "c"}), std::invalid_argument);
  CHECK_THROWS_AS(family.labels({"a", "\xc0\xaf"}), std::invalid_argument);  // overlong '/'

  Counter& first = family.labels({"click", "web"});
  const std::vector<std::string> runtime{"click", "web"};
  for (int i = 0; i < 100; ++i) {
    family.labels({"other", std::to_string(i)});  // grow the map around it
  }
  CHECK(&family.labels(runtime) == &first);
  CHECK(family.labels({"", "web"}).value() == 0);  // empty values are allowed
}

TEST_CASE("counters refuse to go down") {
  Counter counter;
  CHECK_THROWS_AS(counter.inc(-1), std::invalid_argument);
  CHECK_THROWS_AS(counter.inc(std::numeric_limits<double>::quiet_NaN()), std::invalid_argument);
  counter.inc(0.25);
  counter.inc();
  CHECK(counter.value() == 1.25);
}

TEST_CASE("histogram buckets must be finite and strictly increasing") {
  Registry registry;
  CHECK_THROWS_AS(registry.histogram("a_seconds", "h", {}, {}), std::invalid_argument);
  CHECK_THROWS_AS(registry.histogram("b_seconds", "h", {}, {1, 1}), std::invalid_argument);
  CHECK_THROWS_AS(registry.histogram("c_seconds", "h", {}, {2, 1}), std::invalid_argument);
  CHECK_THROWS_AS(registry.histogram("d_seconds", "h", {}, {std::numeric_limits<double>::quiet_NaN()}),
                  std::invalid_argument);
  // A trailing +Inf is accepted and not duplicated.
  auto& ok = registry.histogram("e_seconds", "h", {}, {1, std::numeric_limits<double>::infinity()});
  CHECK(ok.labels({}).cumulative_counts().size() == 2);
}

TEST_CASE("UTF-8 validation follows the standard") {
  CHECK(is_valid_utf8(""));
  CHECK(is_valid_utf8("plain ascii"));
  CHECK(is_valid_utf8("campaña 广告 😀"));
  CHECK_FALSE(is_valid_utf8("\x80"));              // lone continuation byte
  CHECK_FALSE(is_valid_utf8("\xe2\x82"));          // truncated sequence
  CHECK_FALSE(is_valid_utf8("\xed\xa0\x80"));      // surrogate U+D800
  CHECK_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  CHECK_FALSE(is_valid_utf8("\xe0\x80\xaf"));      // overlong
}
