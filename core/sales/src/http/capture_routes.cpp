// POST /api/v1/leads/capture/{captureId}: the endpoint a form backend calls.
// No bearer token: the request's HMAC signature under the capture's secret
// is the authentication (README "Lead capture"). Thin: limits, then
// crm::PgLeadCaptures::receive, then the status.
#include <memory>

#include <nlohmann/json.hpp>

#include "promptsales/common/rate_limiter.hpp"
#include "promptsales/crm/lead_capture.hpp"
#include "promptsales/sales/lead_services.hpp"
#include "promptsales/sales/routes.hpp"

namespace promptsales::sales {
namespace {

using http::Request;
using http::Response;

Response too_many(std::int64_t retry_after, std::string_view what) {
  auto res = Response::error(429, "rate_limited", "too many requests for this " + std::string(what) +
                                                      "; retry after " + std::to_string(retry_after) + " s");
  res.headers.emplace_back("Retry-After", std::to_string(retry_after));
  return res;
}

/// 400 naming the field, with every problem the validation found.
Response rejected(const crm::LeadRejected& e) {
  nlohmann::json errors = nlohmann::json::array();
  for (const auto& r : e.errors()) errors.push_back({{"field", r.column}, {"code", r.code}, {"message", r.message}});
  const auto& first = e.errors().front();
  return Response::json(400, nlohmann::json{{"error",
                                             {{"code", first.code},
                                              {"message", first.message},
                                              {"field", first.column},
                                              {"errors", errors}}}}
                                 .dump());
}

}  // namespace

void register_lead_capture_routes(http::Router& router, LeadServices& leads, const AccessControl& access,
                                  CaptureRouteOptions options) {
  auto limiter = std::make_shared<RateLimiter>(RateLimit{options.rate_per_second, options.rate_burst});
  http::Handler h;
  h.blocking = [&leads, &access, options, limiter](const Request& req) -> Response {
    const std::string id(req.path_param("captureId").value_or(""));
    // The server's per-address limit, as on every /api route: one client
    // probing many capture ids is slowed down like any other flood.
    if (access.per_address && access.per_address->enabled()) {
      if (const auto d = access.per_address->take(client_address(req, access.trust_forwarded_for)); !d.allowed) {
        if (access.on_refused) access.on_refused(req, 429, "rate limit per address");
        return too_many(d.retry_after_seconds, "client address");
      }
    }
    // Per capture id, so one noisy form cannot starve the others.
    if (limiter->enabled()) {
      if (const auto d = limiter->take(id); !d.allowed) return too_many(d.retry_after_seconds, "lead capture");
    }
    if (req.body.size() > options.max_body_bytes) {
      return Response::error(413, "body_too_large", "a captured lead is at most " +
                                                        std::to_string(options.max_body_bytes) + " bytes");
    }
    crm::CaptureReceiveOptions o;
    o.tolerance = options.tolerance;
    o.default_country = options.default_country;
    try {
      const auto r = leads.captures().receive(id, req.header(crm::kTimestampHeader),
                                              req.header(crm::kSignatureHeader), req.body, o);
      auto res = Response::json(r.created ? 201 : 200,
                                nlohmann::json{{"leadId", r.lead_id}, {"created", r.created}, {"campaignId", r.campaign_id}}
                                    .dump());
      if (r.created) res.headers.emplace_back("Location", "/api/v1/leads/" + std::to_string(r.lead_id));
      return res;
    } catch (const crm::LeadRejected& e) {
      return rejected(e);
    }
  };
  router.add(http::Method::post, "/api/v1/leads/capture/{captureId}", "leads_capture", std::move(h));
}

}  // namespace promptsales::sales
