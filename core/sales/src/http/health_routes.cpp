#include <atomic>
#include <chrono>
#include <mutex>

#include <pqxx/pqxx>

#include "promptsales/common/errors.hpp"
#include "promptsales/common/json_escape.hpp"
#include "promptsales/common/metrics/registry.hpp"
#include "promptsales/sales/portal.hpp"
#include "promptsales/sales/routes.hpp"

namespace promptsales::sales {
namespace {

using http::Method;
using http::Request;
using http::Response;

// Probes may come from several kubelets and load balancers at once: one
// database round trip per half second is plenty.
class ReadinessProbe {
 public:
  explicit ReadinessProbe(Portal& portal) : portal_(portal) {}

  Response check(bool draining) {
    if (draining) return Response::json(503, R"({"status":"draining"})");
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(mutex_);
    if (now - checked_at_ > std::chrono::milliseconds(500)) {
      database_error_ = database_state();
      redis_state_ = redis_state();
      checked_at_ = now;
    }
    return render();
  }

 private:
  std::string database_state() {
    try {
      portal_.databases().ads().with_connection([](pqxx::connection& c) {
        pqxx::nontransaction tx(c);
        tx.exec("SELECT 1");
        return 0;
      });
      return {};
    } catch (const std::exception& e) {
      return e.what();
    }
  }

  // Asked, not inferred from the last cache command: with no traffic that
  // would stay "ok" after Redis died, or "degraded" after it came back.
  std::string redis_state() {
    auto& cache = portal_.page_cache();
    auto* redis = cache.redis();
    if (!redis) return "disabled";
    if (!redis->ping()) return "degraded";
    return cache.generations().trusted() ? "ok" : "degraded";
  }

  Response render() const {
    std::string body = "{\"status\":";
    body += database_error_.empty() ? "\"ready\"" : "\"unavailable\"";
    body += ",\"checks\":{\"postgres\":";
    append_json_string(body, database_error_.empty() ? "ok" : database_error_);
    // Redis down is not "unready": pages come from PostgreSQL, only slower.
    body += ",\"redis\":\"" + redis_state_ + "\"}}";
    return Response::json(database_error_.empty() ? 200 : 503, std::move(body));
  }

  Portal& portal_;
  std::mutex mutex_;
  std::chrono::steady_clock::time_point checked_at_{};
  std::string database_error_;
  std::string redis_state_;
};

}  // namespace

void register_health_routes(http::Router& router, Portal& portal, metrics::Registry& registry, HealthChecks checks) {
  // Liveness: the process answers. It must not depend on the database, or a
  // database outage would restart every pod.
  static const auto alive = std::make_shared<const std::string>(R"({"status":"ok"})");
  router.add(Method::get, "/healthz", "healthz",
             {[](const Request&) -> std::optional<Response> { return Response::shared_json(200, alive); }, nullptr});

  auto probe = std::make_shared<ReadinessProbe>(portal);
  router.add(Method::get, "/readyz", "readyz",
             {nullptr, [probe, draining = std::move(checks.draining)](const Request&) {
                return probe->check(draining && draining());
              }});

  // On the I/O thread: scraping must keep working while every worker is
  // stuck on a database incident, which is when it matters most.
  router.add(Method::get, "/metrics", "metrics",
             {[&registry](const Request&) -> std::optional<Response> {
                return Response::text(200, registry.render(), "text/plain; version=0.0.4; charset=utf-8");
              },
              nullptr});
}

}  // namespace promptsales::sales
