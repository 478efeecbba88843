#include "promptsales/sales/api_server.hpp"

#include "promptsales/common/http/router.hpp"
#include "promptsales/common/http/server.hpp"
#include "promptsales/common/logging.hpp"
#include "promptsales/common/metrics/registry.hpp"
#include "promptsales/sales/job_run_metrics.hpp"
#include "promptsales/sales/access.hpp"
#include "promptsales/common/crypto/data_key.hpp"
#include "promptsales/sales/lead_services.hpp"
#include "promptsales/sales/observability.hpp"
#include "promptsales/sales/portal.hpp"
#include "promptsales/sales/routes.hpp"

namespace promptsales::sales {
namespace {

http::ServerOptions server_options(const Config& c, bool handle_signals) {
  http::ServerOptions o;
  o.listen = c.str("listen");
  o.io_threads = static_cast<unsigned>(c.integer("io_threads", 0, 256));
  o.worker_threads = static_cast<unsigned>(c.integer("worker_threads", 1, 1024));
  o.max_connections = static_cast<std::size_t>(c.integer("http_max_connections", 1, 1'000'000));
  o.max_body_bytes = static_cast<std::size_t>(c.integer("http_max_body_bytes", 1, 1LL << 30));
  o.max_header_bytes = static_cast<std::size_t>(c.integer("http_max_header_bytes", 1024, 1 << 20));
  o.read_timeout = c.millis("http_read_timeout_ms");
  o.idle_timeout = c.millis("http_idle_timeout_ms");
  o.shutdown_timeout = c.millis("shutdown_timeout_ms");
  o.handle_signals = handle_signals;
  o.tls_cert_file = c.str("tls_cert_file");
  o.tls_key_file = c.str("tls_key_file");
  http::check_tls_files(o);  // a bad certificate or key fails before any database is opened
  return o;
}

CaptureRouteOptions capture_options(const Config& c) {
  CaptureRouteOptions o;
  o.tolerance = std::chrono::seconds(c.integer("lead_capture_tolerance_seconds", 1, 86'400));
  o.max_body_bytes = static_cast<std::size_t>(c.integer("lead_capture_max_body_bytes", 256, 1 << 20));
  o.rate_per_second = static_cast<double>(c.integer("lead_capture_rate_per_second", 0, 1'000'000));
  o.rate_burst = static_cast<double>(c.integer("lead_capture_rate_burst", 1, 1'000'000));
  o.default_country = c.str("lead_capture_default_country");
  return o;
}

PortalOptions portal_options(const Config& c) {
  PortalOptions o;
  o.pool_size = static_cast<std::size_t>(c.integer("db_pool_size", 1, 1000));
  o.async_connections = static_cast<std::size_t>(c.integer("db_async_connections", 0, 64));
  o.async_pipeline_depth = static_cast<std::size_t>(c.integer("db_async_pipeline_depth", 1, 64));
  return o;
}

}  // namespace

struct ApiServer::Impl {
  Impl(const Config& config, bool handle_signals)
      : options(server_options(config, handle_signals)),
        portal(config, portal_options(config)),
        access(config, portal),
        leads(portal, crypto::try_load_keyring(config)) {
    register_campaign_routes(router, portal, access.control());
    register_lead_routes(router, leads, access.control());
    register_lead_capture_routes(router, leads, access.control(), capture_options(config));
    register_health_routes(router, portal, registry, {[this] { return server && server->draining(); }});
    register_runtime_metrics(registry, portal);
    register_access_metrics(registry, access);
    registry.add(std::make_unique<JobRunMetrics>(portal.databases().control(),
                                                 config.millis("metrics_job_runs_refresh_ms")));
    server = std::make_unique<http::Server>(options, router, make_http_metrics(registry));
  }

  http::ServerOptions options;  // first: bad TLS files fail before the databases are opened
  Portal portal;
  Access access;
  LeadServices leads;
  http::Router router;
  metrics::Registry registry;
  std::unique_ptr<http::Server> server;
};

ApiServer::ApiServer(const Config& config, bool handle_signals)
    : impl_(std::make_unique<Impl>(config, handle_signals)) {}

ApiServer::~ApiServer() = default;

void ApiServer::start() {
  impl_->server->start();
}

std::uint16_t ApiServer::port() const noexcept { return impl_->server->port(); }

void ApiServer::wait() {
  impl_->server->wait();
  logging::get("http")->info("stopped");
}

void ApiServer::begin_shutdown() noexcept { impl_->server->begin_shutdown(); }

}  // namespace promptsales::sales
