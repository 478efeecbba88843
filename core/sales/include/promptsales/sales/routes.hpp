#pragma once
/// The portal's HTTP routes. Each is a thin adapter: parse the request, call
/// a service, render JSON. Errors are thrown as promptsales::Error and
/// rendered by the server.

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>

#include "promptsales/common/http/router.hpp"
#include "promptsales/sales/route_guard.hpp"

namespace promptsales::metrics {
class Registry;
}

namespace promptsales::sales {

class Portal;
class LeadServices;

/// /api/v1/campaigns (and the original API's /campaigns) and
/// /api/v1/campaigns/{id}[/pause|/resume], behind `access` (which must
/// outlive the router): campaigns:read for reads, campaigns:write for writes.
void register_campaign_routes(http::Router& router, Portal& portal, const AccessControl& access);

/// /api/v1/leads (list), /api/v1/leads/export, /api/v1/leads/{id} (GET,
/// PATCH): leads:read, leads:export, leads:write; confined to the token's
/// organization (platform operators name one with organizationId).
void register_lead_routes(http::Router& router, LeadServices& leads, const AccessControl& access);

struct CaptureRouteOptions {
  std::chrono::seconds tolerance{300};  ///< lead_capture_tolerance_seconds
  std::size_t max_body_bytes = 65536;   ///< lead_capture_max_body_bytes (413 above)
  double rate_per_second = 5;           ///< per capture id; 0 = no limit
  double rate_burst = 20;
  std::string default_country;          ///< for national phone numbers
};

/// POST /api/v1/leads/capture/{captureId}: no bearer token, the HMAC
/// signature authenticates (crm/lead_capture.hpp). `access` lends its
/// per-address rate limit (and must outlive the router); there is a second
/// limit per capture id.
void register_lead_capture_routes(http::Router& router, LeadServices& leads, const AccessControl& access,
                                  CaptureRouteOptions options);

struct HealthChecks {
  /// True once the server is draining (SIGTERM): readiness turns false.
  std::function<bool()> draining;
};

/// /healthz (liveness), /readyz (readiness: PostgreSQL reachable, not
/// draining) and /metrics (Prometheus text format).
void register_health_routes(http::Router& router, Portal& portal, metrics::Registry& registry,
                            HealthChecks checks);

}  // namespace promptsales::sales
