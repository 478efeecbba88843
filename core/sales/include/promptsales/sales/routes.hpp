#pragma once
/// The portal's HTTP routes. Each is a thin adapter: parse the request, call
/// a service, render JSON. Errors are thrown as promptsales::Error and
/// rendered by the server.

#include <functional>

#include "promptsales/common/http/router.hpp"
#include "promptsales/sales/route_guard.hpp"

namespace promptsales::metrics {
class Registry;
}

namespace promptsales::sales {

class Portal;

/// /api/v1/campaigns (and the original API's /campaigns) and
/// /api/v1/campaigns/{id}[/pause|/resume], behind `access` (which must
/// outlive the router): campaigns:read for reads, campaigns:write for writes.
void register_campaign_routes(http::Router& router, Portal& portal, const AccessControl& access);

struct HealthChecks {
  /// True once the server is draining (SIGTERM): readiness turns false.
  std::function<bool()> draining;
};

/// /healthz (liveness), /readyz (readiness: PostgreSQL reachable, not
/// draining) and /metrics (Prometheus text format).
void register_health_routes(http::Router& router, Portal& portal, metrics::Registry& registry,
                            HealthChecks checks);

}  // namespace promptsales::sales
