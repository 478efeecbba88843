#include "promptsales/sales/observability.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <vector>

#include "promptsales/common/metrics/build_info.hpp"
#include "promptsales/common/metrics/collector.hpp"
#include "promptsales/common/metrics/counter.hpp"
#include "promptsales/common/metrics/family.hpp"
#include "promptsales/common/metrics/gauge.hpp"
#include "promptsales/common/metrics/histogram.hpp"
#include "promptsales/common/metrics/process_collector.hpp"
#include "promptsales/sales/access.hpp"
#include "promptsales/sales/portal.hpp"

namespace promptsales::sales {
namespace {

using metrics::MetricType;

class HttpMetrics final : public http::ServerObserver {
 public:
  explicit HttpMetrics(metrics::Registry& r)
      : requests_(r.counter("promptsales_http_requests_total", "HTTP requests answered, by route, method and status.",
                            {"route", "method", "status"})),
        duration_(r.histogram("promptsales_http_request_duration_seconds",
                              "Time from a request's first byte to the end of its response.", {"route"})),
        in_flight_(r.gauge("promptsales_http_requests_in_flight", "Requests being served now.").labels({})),
        open_(r.gauge("promptsales_http_connections_open", "Open client connections.").labels({})),
        accepted_(r.counter("promptsales_http_connections_total", "Client connections accepted.").labels({})),
        rejected_(r.counter("promptsales_http_connections_rejected_total",
                            "Connections refused because the connection cap was reached.")
                      .labels({})),
        tls_failed_(r.counter("promptsales_http_tls_handshake_failures_total",
                              "TLS handshakes that failed or timed out (plain HTTP, old TLS, no shared suite).")
                        .labels({})) {}

  void on_request_start() noexcept override { in_flight_.inc(); }

  void on_request_end(std::string_view route, http::Method method, int status, double seconds) noexcept override {
    in_flight_.dec();
    try {
      auto& slot = children(route, method, status);
      slot.requests->inc();
      slot.duration->observe(seconds);
    } catch (...) {
      // Metrics must never fail a request.
    }
  }
  void on_connection_open() noexcept override {
    open_.inc();
    accepted_.inc();
  }
  void on_connection_close() noexcept override { open_.dec(); }
  void on_connection_rejected() noexcept override { rejected_.inc(); }
  void on_tls_handshake_failed() noexcept override { tls_failed_.inc(); }

 private:
  struct Slot {
    const char* route_data;
    std::size_t route_size;
    http::Method method;
    int status;
    metrics::Counter* requests;
    metrics::Histogram* duration;
  };

  // Route names live as long as the router, so their addresses identify
  // them; each I/O thread keeps its own list and never takes the family's
  // lock after the first request of a kind.
  Slot& children(std::string_view route, http::Method method, int status) {
    thread_local std::vector<Slot> slots;
    for (auto& s : slots) {
      if (s.route_data == route.data() && s.route_size == route.size() && s.method == method && s.status == status) {
        return s;
      }
    }
    const std::string status_text = std::to_string(status);
    auto& counter = requests_.labels({route, http::to_string(method), status_text});
    auto& histogram = duration_.labels({route});
    slots.push_back(Slot{route.data(), route.size(), method, status, &counter, &histogram});
    return slots.back();
  }

  metrics::CounterFamily& requests_;
  metrics::HistogramFamily& duration_;
  metrics::Gauge& in_flight_;
  metrics::Gauge& open_;
  metrics::Counter& accepted_;
  metrics::Counter& rejected_;
  metrics::Counter& tls_failed_;
};

metrics::Sample sample(metrics::LabelPairs labels, double value) { return metrics::Sample{"", std::move(labels), value}; }

// Counters and gauges kept by the cache and the pools themselves, copied at
// scrape time.
class RuntimeCollector final : public metrics::Collector {
 public:
  explicit RuntimeCollector(Portal& portal) : portal_(portal) {}

  std::vector<metrics::FamilyDescriptor> describe() const override {
    return {{"promptsales_cache_hits_total", MetricType::counter},
            {"promptsales_cache_misses_total", MetricType::counter},
            {"promptsales_cache_errors_total", MetricType::counter},
            {"promptsales_cache_loads_total", MetricType::counter},
            {"promptsales_cache_singleflight_waits_total", MetricType::counter},
            {"promptsales_cache_evictions_total", MetricType::counter},
            {"promptsales_cache_entries", MetricType::gauge},
            {"promptsales_cache_bytes", MetricType::gauge},
            {"promptsales_db_pool_connections", MetricType::gauge},
            {"promptsales_db_pool_waits_total", MetricType::counter},
            {"promptsales_db_pool_wait_timeouts_total", MetricType::counter},
            {"promptsales_db_pool_wait_seconds_total", MetricType::counter},
            {"promptsales_db_pool_connect_failures_total", MetricType::counter},
            {"promptsales_db_async_waiting", MetricType::gauge},
            {"promptsales_db_async_queries_total", MetricType::counter},
            {"promptsales_db_async_retries_total", MetricType::counter}};
  }

  void collect(std::vector<metrics::MetricFamilySnapshot>& out) const override {
    const auto c = portal_.page_cache().pages().stats();
    const auto local = metrics::LabelPairs{{"tier", "local"}};
    const auto redis = metrics::LabelPairs{{"tier", "redis"}};
    out.push_back({"promptsales_cache_hits_total", "Cached responses served, by tier.", MetricType::counter,
                   {sample(local, double(c.local_hits)), sample(redis, double(c.redis_hits))}});
    out.push_back({"promptsales_cache_misses_total", "Lookups that found nothing, by tier.", MetricType::counter,
                   {sample(local, double(c.local_misses)), sample(redis, double(c.redis_misses))}});
    out.push_back({"promptsales_cache_errors_total", "Redis cache operations that failed.", MetricType::counter,
                   {sample(redis, double(c.redis_errors))}});
    out.push_back({"promptsales_cache_loads_total", "Responses built from the database on a miss.",
                   MetricType::counter, {sample({}, double(c.loads))}});
    out.push_back({"promptsales_cache_singleflight_waits_total",
                   "Misses that waited for another request's load of the same key.", MetricType::counter,
                   {sample({}, double(c.singleflight_waits))}});
    out.push_back({"promptsales_cache_evictions_total", "Entries evicted from the in-process tier.",
                   MetricType::counter, {sample({}, double(c.evictions))}});
    out.push_back({"promptsales_cache_entries", "Entries in the in-process tier.", MetricType::gauge,
                   {sample({}, double(c.entries))}});
    out.push_back({"promptsales_cache_bytes", "Bytes in the in-process tier.", MetricType::gauge,
                   {sample({}, double(c.bytes))}});

    metrics::MetricFamilySnapshot connections{"promptsales_db_pool_connections",
                                              "Database pool connections by state (max = configured size).",
                                              MetricType::gauge, {}};
    metrics::MetricFamilySnapshot waits{"promptsales_db_pool_waits_total",
                                        "Acquisitions that waited for a free connection.", MetricType::counter, {}};
    metrics::MetricFamilySnapshot timeouts{"promptsales_db_pool_wait_timeouts_total",
                                           "Acquisitions that gave up waiting (answered 503).", MetricType::counter, {}};
    metrics::MetricFamilySnapshot wait_seconds{"promptsales_db_pool_wait_seconds_total",
                                               "Time spent waiting for a free connection.", MetricType::counter, {}};
    metrics::MetricFamilySnapshot failures{"promptsales_db_pool_connect_failures_total",
                                           "Failed attempts to open a connection.", MetricType::counter, {}};
    const std::array<std::pair<const char*, db::Pool*>, 2> pools{
        {{"control", &portal_.databases().control()}, {"ads", &portal_.databases().ads()}}};
    for (const auto& [name, pool] : pools) {
      const auto s = pool->stats();
      const std::string db = name;
      connections.samples.push_back(sample({{"database", db}, {"state", "in_use"}}, double(s.in_use)));
      connections.samples.push_back(sample({{"database", db}, {"state", "idle"}}, double(s.open - s.in_use)));
      connections.samples.push_back(sample({{"database", db}, {"state", "max"}}, double(s.size)));
      waits.samples.push_back(sample({{"database", db}}, double(s.waits)));
      timeouts.samples.push_back(sample({{"database", db}}, double(s.wait_timeouts)));
      wait_seconds.samples.push_back(sample({{"database", db}}, s.wait_seconds_total));
      failures.samples.push_back(sample({{"database", db}}, double(s.connect_failures)));
    }
    // The I/O threads' own connections (campaign page reads): "ads_async".
    std::optional<db::AsyncPgStats> async;
    if (const auto* lister = portal_.async_campaigns()) async = lister->stats();
    if (async) {
      connections.samples.push_back(sample({{"database", "ads_async"}, {"state", "in_use"}}, double(async->busy)));
      connections.samples.push_back(
          sample({{"database", "ads_async"}, {"state", "idle"}}, double(async->open - std::min(async->open, async->busy))));
      failures.samples.push_back(sample({{"database", "ads_async"}}, double(async->connect_failures)));
    }
    out.push_back(std::move(connections));
    out.push_back(std::move(waits));
    out.push_back(std::move(timeouts));
    out.push_back(std::move(wait_seconds));
    out.push_back(std::move(failures));
    {
      const db::AsyncPgStats none;
      const db::AsyncPgStats* a = async ? &*async : &none;
      out.push_back({"promptsales_db_async_waiting",
                     "Campaign page queries on the I/O threads waiting for one of their connections.",
                     MetricType::gauge, {sample({}, double(a->waiting))}});
      out.push_back({"promptsales_db_async_queries_total",
                     "Campaign page queries run on the I/O threads' connections, by result (error includes 503s).",
                     MetricType::counter,
                     {sample({{"result", "ok"}}, double(a->queries - std::min(a->queries, a->failures))),
                      sample({{"result", "error"}}, double(a->failures))}});
      out.push_back({"promptsales_db_async_retries_total",
                     "Campaign page queries resent after their connection broke (server restart, stale connection).",
                     MetricType::counter, {sample({}, double(a->retries))}});
    }
  }

 private:
  Portal& portal_;
};

// The audit writer's and the shared token cache's counters, copied at scrape time.
class AuditCollector final : public metrics::Collector {
 public:
  explicit AuditCollector(const Access& access) : access_(access) {}
  std::vector<metrics::FamilyDescriptor> describe() const override {
    return {{"promptsales_audit_events_total", MetricType::counter},
            {"promptsales_auth_shared_cache_total", MetricType::counter}};
  }
  void collect(std::vector<metrics::MetricFamilySnapshot>& out) const override {
    const auto s = access_.audit_stats();
    out.push_back({"promptsales_audit_events_total",
                   "Audit events of the API by fate: written, dropped (queue full) or failed (insert failed).",
                   MetricType::counter,
                   {sample({{"result", "written"}}, double(s.written)), sample({{"result", "dropped"}}, double(s.dropped)),
                    sample({{"result", "failed"}}, double(s.failed))}});
    if (const auto t = access_.shared_token_cache_stats()) {
      out.push_back({"promptsales_auth_shared_cache_total",
                     "Lookups of verified tokens in Redis: hit, miss, rejected (malformed or failing its MAC), error.",
                     MetricType::counter,
                     {sample({{"result", "hit"}}, double(t->hits)), sample({{"result", "miss"}}, double(t->misses)),
                      sample({{"result", "rejected"}}, double(t->rejected)),
                      sample({{"result", "error"}}, double(t->errors))}});
    }
  }

 private:
  const Access& access_;
};

}  // namespace

void register_access_metrics(metrics::Registry& registry, Access& access) {
  auto& refusals = registry.counter("promptsales_auth_refusals_total",
                                    "Requests refused before their handler: 401 (token), 403 (permission), 429 (rate).",
                                    {"status"});
  // Children made now, so the I/O threads never take the family's lock.
  auto* unauthorized = &refusals.labels({"401"});
  auto* forbidden = &refusals.labels({"403"});
  auto* limited = &refusals.labels({"429"});
  access.on_refused([unauthorized, forbidden, limited](const http::Request&, int status, std::string_view) {
    (status == 401 ? unauthorized : status == 403 ? forbidden : limited)->inc();
  });
  registry.add(std::make_unique<AuditCollector>(access));
}

std::shared_ptr<http::ServerObserver> make_http_metrics(metrics::Registry& registry) {
  return std::make_shared<HttpMetrics>(registry);
}

void register_runtime_metrics(metrics::Registry& registry, Portal& portal) {
  registry.add(std::make_unique<RuntimeCollector>(portal));
  registry.add(std::make_unique<metrics::ProcessCollector>());
#ifdef NDEBUG
  const char* build_type = "release";
#else
  const char* build_type = "debug";
#endif
  metrics::register_build_info(registry, {PROMPTSALES_SALES_VERSION, "gcc " __VERSION__, build_type});
}

}  // namespace promptsales::sales
