// Exact text exposition (format 0.0.4) for small registries.

#include <catch2/catch.hpp>

#include <limits>

#include "promptsales/common/metrics/build_info.hpp"
#include "promptsales/common/metrics/registry.hpp"
#include "promptsales/common/metrics/text_format.hpp"

using namespace promptsales::metrics;

TEST_CASE("counter with labels renders HELP, TYPE and one line per child in label order") {
  Registry registry;
  auto& requests = registry.counter("promptsales_http_requests_total", "HTTP requests served.",
                                    {"route", "method", "status"});
  requests.labels({"campaigns_list", "GET", "200"}).inc();
  requests.labels({"campaigns_list", "GET", "200"}).inc();
  requests.labels({"campaign_create", "POST", "201"}).inc(3);

  CHECK(registry.render() ==
        "# HELP promptsales_http_requests_total HTTP requests served.\n"
        "# TYPE promptsales_http_requests_total counter\n"
        "promptsales_http_requests_total{route=\"campaign_create\",method=\"POST\",status=\"201\"} 3\n"
        "promptsales_http_requests_total{route=\"campaigns_list\",method=\"GET\",status=\"200\"} 2\n");
}

TEST_CASE("gauge supports set, inc and dec, and an unlabelled gauge is exposed before first use") {
  Registry registry;
  auto& queue = registry.gauge("promptsales_queue_depth", "Jobs waiting in the queue.");
  auto& in_flight = registry.gauge("promptsales_http_requests_in_flight", "Requests being served.");

  CHECK(registry.render() ==
        "# HELP promptsales_http_requests_in_flight Requests being served.\n"
        "# TYPE promptsales_http_requests_in_flight gauge\n"
        "promptsales_http_requests_in_flight 0\n"
        "# HELP promptsales_queue_depth Jobs waiting in the queue.\n"
        "# TYPE promptsales_queue_depth gauge\n"
        "promptsales_queue_depth 0\n");

  queue.labels({}).set(7);
  queue.labels({}).inc(0.5);
  queue.labels({}).dec(2);
  {
    ScopedGaugeIncrement request(in_flight.labels({}));
    CHECK(in_flight.labels({}).value() == 1);
  }
  CHECK(in_flight.labels({}).value() == 0);
  CHECK(registry.render() ==
        "# HELP promptsales_http_requests_in_flight Requests being served.\n"
        "# TYPE promptsales_http_requests_in_flight gauge\n"
        "promptsales_http_requests_in_flight 0\n"
        "# HELP promptsales_queue_depth Jobs waiting in the queue.\n"
        "# TYPE promptsales_queue_depth gauge\n"
        "promptsales_queue_depth 5.5\n");
}

TEST_CASE("histogram renders cumulative buckets with +Inf, then _sum and _count") {
  Registry registry;
  auto& duration = registry.histogram("promptsales_job_duration_seconds", "Job run time.", {"job"},
                                      {0.1, 0.5, 1});
  auto& backup = duration.labels({"backup"});
  backup.observe(0.0625);
  backup.observe(0.5);  // on a bound: le means "less than or equal"
  backup.observe(3.0);

  CHECK(registry.render() ==
        "# HELP promptsales_job_duration_seconds Job run time.\n"
        "# TYPE promptsales_job_duration_seconds histogram\n"
        "promptsales_job_duration_seconds_bucket{job=\"backup\",le=\"0.1\"} 1\n"
        "promptsales_job_duration_seconds_bucket{job=\"backup\",le=\"0.5\"} 2\n"
        "promptsales_job_duration_seconds_bucket{job=\"backup\",le=\"1\"} 2\n"
        "promptsales_job_duration_seconds_bucket{job=\"backup\",le=\"+Inf\"} 3\n"
        "promptsales_job_duration_seconds_sum{job=\"backup\"} 3.5625\n"
        "promptsales_job_duration_seconds_count{job=\"backup\"} 3\n");
}

TEST_CASE("histogram takes durations in seconds and sends NaN to +Inf") {
  Registry registry;
  auto& latency = registry.histogram("promptsales_latency_seconds", "Latency.", {}, {0.001, 1});
  auto& child = latency.labels({});
  child.observe(std::chrono::microseconds(250));
  child.observe(std::numeric_limits<double>::quiet_NaN());
  CHECK(child.cumulative_counts() == std::vector<std::uint64_t>{1, 1, 2});
  CHECK(child.count() == 2);
}

TEST_CASE("default latency buckets start at 100 microseconds and render without exponents") {
  Registry registry;
  registry.histogram("promptsales_request_duration_seconds", "Request latency.");
  const std::string text = registry.render();
  for (const char* le : {"0.0001", "0.00025", "0.0005", "0.001", "0.0025", "0.005", "0.01",
                         "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"}) {
    CAPTURE(le);
    CHECK(text.find(std::string("le=\"") + le + "\"} 0\n") != std::string::npos);
  }
  CHECK(default_latency_buckets().size() == 16);
}

TEST_CASE("label values and HELP text are escaped") {
  CHECK(escape_label_value(R"(a\b"c)" "\n" "d") == R"(a\\b\"c\nd)");
  CHECK(escape_help(R"(say "hi" \ bye)" "\n" "next") == R"(say "hi" \\ bye\nnext)");

  Registry registry;
  registry.counter("promptsales_import_errors_total", "Rows rejected by \\import\\.\nSee docs.",
                   {"reason"})
      .labels({"bad \"quote\" \\ and\nnewline"})
      .inc();
  CHECK(registry.render() ==
        "# HELP promptsales_import_errors_total Rows rejected by \\\\import\\\\.\\nSee docs.\n"
        "# TYPE promptsales_import_errors_total counter\n"
        "promptsales_import_errors_total{reason=\"bad \\\"quote\\\" \\\\ and\\nnewline\"} 1\n");
}

TEST_CASE("values are formatted the way Prometheus parses them, independent of locale") {
  CHECK(format_value(0) == "0");
  CHECK(format_value(-0.0) == "0");
  CHECK(format_value(800000) == "800000");
  CHECK(format_value(-3) == "-3");
  CHECK(format_value(0.1) == "0.1");
  CHECK(format_value(0.00025) == "0.00025");
  CHECK(format_value(1e-5) == "1e-05");
  CHECK(format_value(1.5e300) == "1.5e+300");
  CHECK(format_value(123456.789) == "123456.789");
  CHECK(format_value(1.0 / 3.0) == "0.3333333333333333");
  // A longer value then, straight after, a shorter one: the short one must
  // not pick up digits left in the formatting buffer ("5e-04" + stale "00").
  const std::string longer = format_value(1.2e300);
  const std::string shorter = format_value(0.0005);
  CHECK(longer == "1.2e+300");
  CHECK(shorter == "0.0005");
  CHECK(format_value(std::numeric_limits<double>::infinity()) == "+Inf");
  CHECK(format_value(-std::numeric_limits<double>::infinity()) == "-Inf");
  CHECK(format_value(std::numeric_limits<double>::quiet_NaN()) == "NaN");
}

TEST_CASE("families render sorted by name whatever the registration order") {
  Registry registry;
  registry.gauge("zeta", "Z.");
  registry.counter("alpha_total", "A.");
  registry.gauge("mid", "M.");
  const std::string text = registry.render();
  const auto alpha = text.find("# HELP alpha_total");
  const auto mid = text.find("# HELP mid");
  const auto zeta = text.find("# HELP zeta");
  REQUIRE(alpha != std::string::npos);
  CHECK(alpha < mid);
  CHECK(mid < zeta);
  CHECK(registry.render() == text);
}

TEST_CASE("callback gauges are computed at scrape time and can be removed") {
  Registry registry;
  auto& pool = registry.callback_gauge("promptsales_db_pool_connections",
                                       "Database pool connections by state.", {"database", "state"});
  int in_use = 2;
  pool.set({"portal", "in_use"}, [&in_use] { return in_use; });
  pool.set({"portal", "idle"}, [] { return 8.0; });
  pool.set({"ads", "idle"}, []() -> double { throw std::runtime_error("pool closed"); });
  in_use = 3;

  const std::string header =
      "# HELP promptsales_db_pool_connections Database pool connections by state.\n"
      "# TYPE promptsales_db_pool_connections gauge\n";
  CHECK(registry.render() == header +
                                 "promptsales_db_pool_connections{database=\"portal\",state=\"idle\"} 8\n"
                                 "promptsales_db_pool_connections{database=\"portal\",state=\"in_use\"} 3\n");

  pool.remove({"portal", "in_use"});
  CHECK(registry.render() ==
        header + "promptsales_db_pool_connections{database=\"portal\",state=\"idle\"} 8\n");
  CHECK_THROWS_AS(pool.set({"portal"}, [] { return 1.0; }), std::invalid_argument);
  CHECK_THROWS_AS(pool.set({"portal", "x"}, nullptr), std::invalid_argument);
}

TEST_CASE("build info is a constant 1 labelled with the build's identity") {
  Registry registry;
  register_build_info(registry, {"0.1.0", "gcc 12.2.0", "Debug"});
  CHECK(registry.render() ==
        "# HELP promptsales_build_info Build information about the running promptsales binary; "
        "the value is always 1.\n"
        "# TYPE promptsales_build_info gauge\n"
        "promptsales_build_info{version=\"0.1.0\",compiler=\"gcc 12.2.0\",build_type=\"Debug\"} 1\n");
}
