// /api/v1/leads: reading, changing and exporting an organization's leads.
// Thin adapters over crm::PgLeadStore. Every route is confined to the
// token's organization; a platform operator (no organization in the token)
// names one with ?organizationId=. A lead of another organization answers
// 404, so its existence is not revealed.
#include <charconv>
#include <sstream>

#include <nlohmann/json.hpp>

#include "promptsales/common/errors.hpp"
#include "promptsales/crm/lead_patch.hpp"
#include "promptsales/crm/lead_privacy.hpp"
#include "promptsales/crm/lead_validation.hpp"
#include "promptsales/sales/campaign_query.hpp"
#include "promptsales/sales/lead_services.hpp"
#include "promptsales/sales/routes.hpp"

namespace promptsales::sales {
namespace {

using auth::Permission;
using auth::Principal;
using http::Method;
using http::Request;
using http::Response;

constexpr std::int64_t kMaxOffset = 1'000'000;
constexpr std::int64_t kMaxExportRows = 10'000;

std::int64_t integer_param(const Request& req, std::string_view name, std::int64_t min, std::int64_t max,
                           std::int64_t fallback) {
  const auto text = req.query_param(name);
  if (!text) return fallback;
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (text->empty() || ec != std::errc() || end != text->data() + text->size()) {
    throw ValidationError(std::string(name), "'" + std::string(text->substr(0, 40)) + "' is not an integer");
  }
  if (v < min || v > max) {
    throw ValidationError(std::string(name), "must be between " + std::to_string(min) + " and " + std::to_string(max));
  }
  return v;
}

std::optional<std::int64_t> optional_integer(const Request& req, std::string_view name, std::int64_t min,
                                             std::int64_t max) {
  if (!req.query_param(name)) return std::nullopt;
  return integer_param(req, name, min, max, 0);
}

/// The organization the request acts on: the token's, or, for a platform
/// operator, ?organizationId= (required then).
std::int64_t organization_of(const Request& req, const Principal& who) {
  const auto named = optional_integer(req, "organizationId", 1, INT64_MAX);
  if (const auto own = who.tenancy().organization()) {
    if (named && *named != *own) {
      throw Forbidden("organizationId: this token is limited to organization " + std::to_string(*own));
    }
    return *own;
  }
  if (!named) throw ValidationError("organizationId", "is required for a token not bound to one organization");
  return *named;
}

/// Filters shared by the list and the export.
crm::LeadFilter filter_of(const Request& req, const Principal& who) {
  crm::LeadFilter f;
  f.organization_id = organization_of(req, who);
  if (const auto s = req.query_param("status")) {
    const auto st = crm::lead_status_from_string(*s);
    if (!st) throw ValidationError("status", "must be new, contacted, qualified, converted or lost");
    f.status = st;
  }
  f.campaign_id = optional_integer(req, "campaignId", 1, INT64_MAX);
  if (const auto v = optional_integer(req, "minScore", 0, 100)) f.min_score = static_cast<int>(*v);
  if (const auto v = optional_integer(req, "maxScore", 0, 100)) f.max_score = static_cast<int>(*v);
  if (const auto s = req.query_param("search"); s && !s->empty()) {
    // Exact email only: emails are encrypted, the blind index finds one.
    auto email = crm::normalize_email(*s);
    if (!email) throw ValidationError("search", "must be a whole email address (leads are found by exact email)");
    f.email = std::move(*email);
  }
  return f;
}

http::Handler worker(const AccessControl& access, Permission needed, GuardedBlocking handler) {
  return guarded(access, needed, nullptr, std::move(handler));
}

}  // namespace

void register_lead_routes(http::Router& router, LeadServices& leads, const AccessControl& access) {
  router.add(Method::get, "/api/v1/leads", "leads_list",
             worker(access, Permission::leads_read, [&leads](const Request& req, const Principal& who) {
               auto f = filter_of(req, who);
               f.limit = static_cast<int>(integer_param(req, "limit", 1, 1000, 50));
               f.offset = integer_param(req, "offset", 0, kMaxOffset, 0);
               f.newest_first = true;
               nlohmann::json out = nlohmann::json::array();
               for (const auto& l : leads.leads().list(f)) out.push_back(crm::lead_to_json(l));
               return Response::json(200, out.dump());
             }));

  router.add(Method::get, "/api/v1/leads/export", "leads_export",
             worker(access, Permission::leads_export, [&leads, &access](const Request& req, const Principal& who) {
               auto f = filter_of(req, who);
               const auto format = req.query_param("format").value_or("csv");
               if (format != "csv" && format != "ndjson") throw ValidationError("format", "must be csv or ndjson");
               const auto max = integer_param(req, "limit", 1, kMaxExportRows, kMaxExportRows);
               f.after_id = integer_param(req, "afterId", 0, INT64_MAX, 0);
               f.limit = 1000;
               std::ostringstream body;
               const auto page = crm::export_leads_page(
                   leads.leads(), f, format == "csv" ? crm::LeadExportFormat::csv : crm::LeadExportFormat::jsonl,
                   body, static_cast<std::uint64_t>(max));
               // Who took personal data out, how much: audited like the CLI's export.
               audit(access, req, who, "lead.export", "organization:" + std::to_string(f.organization_id),
                     f.organization_id);
               auto res = Response::text(200, std::move(body).str(),
                                         format == "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson");
               res.headers.emplace_back("X-Lead-Count", std::to_string(page.count));
               if (page.more) res.headers.emplace_back("X-Next-After-Id", std::to_string(page.last_id));
               return res;
             }));

  router.add(Method::get, "/api/v1/leads/{id}", "leads_get",
             worker(access, Permission::leads_read, [&leads](const Request& req, const Principal& who) {
               const auto id = parse_id(req.path_param("id").value_or(""));
               return Response::json(200, crm::lead_to_json(leads.leads().get(organization_of(req, who), id)).dump());
             }));

  router.add(Method::patch, "/api/v1/leads/{id}", "leads_update",
             worker(access, Permission::leads_write, [&leads, &access](const Request& req, const Principal& who) {
               const auto id = parse_id(req.path_param("id").value_or(""));
               const auto org = organization_of(req, who);
               const auto change = crm::parse_lead_patch(req.body);
               const auto lead = leads.leads().update(org, id, change);
               audit(access, req, who, "lead.update", "lead:" + std::to_string(id), org);
               return Response::json(200, crm::lead_to_json(lead).dump());
             }));
}

}  // namespace promptsales::sales
