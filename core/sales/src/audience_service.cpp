#include "promptsales/sales/audience_service.hpp"

#include "promptsales/ads/pg_audience_repository.hpp"
#include "promptsales/common/errors.hpp"
#include "promptsales/common/logging.hpp"
#include "promptsales/common/time.hpp"
#include "promptsales/crm/pg_lead_segments.hpp"

namespace promptsales::sales {
namespace {

std::int64_t confined_organization(std::int64_t requested, Tenancy tenancy) {
  if (const auto own = tenancy.organization()) {
    if (requested == 0) return *own;
    if (requested != *own)
      throw Forbidden("organizationId: you can only use audiences of organization " + std::to_string(*own));
  }
  if (requested == 0) throw ValidationError("organizationId", "is required");
  return requested;
}

std::string describe(std::int64_t id) { return "audience " + std::to_string(id); }

}  // namespace

crm::LeadCriteria criteria_of(const ads::AudienceRules& r) {
  crm::LeadCriteria c;
  c.countries = r.countries;
  c.interests = r.interests;
  c.min_age = r.min_age;
  c.max_age = r.max_age;
  c.min_score = r.min_score;
  c.max_score = r.max_score;
  c.sources = r.sources;
  for (const auto& name : r.statuses) {
    const auto status = crm::lead_status_from_string(name);
    if (!status)
      throw ValidationError("rules.statuses",
                            "'" + name + "' is not a lead status (new, contacted, qualified, converted, lost)");
    c.statuses.push_back(*status);
  }
  return c;
}

AudienceService::AudienceService(db::Pool& ads, db::Pool& crm) : ads_(ads), crm_(crm) {}

ads::Audience AudienceService::create(ads::AudienceDraft draft, Tenancy tenancy) {
  draft.organization_id = confined_organization(draft.organization_id, tenancy);
  draft = ads::validate_draft(std::move(draft));
  criteria_of(draft.rules);  // refuse unknown statuses before storing
  try {
    return ads::PgAudienceRepository(ads_).create(draft);
  } catch (const Conflict&) {
    throw Conflict("name: organization " + std::to_string(draft.organization_id) + " already has an audience named '" +
                   draft.name + "'");
  }
}

ads::Audience AudienceService::get(std::int64_t id, Tenancy tenancy) {
  auto a = ads::PgAudienceRepository(ads_).find(id, tenancy);
  if (!a) throw NotFound(describe(id) + " not found");
  return std::move(*a);
}

std::vector<ads::Audience> AudienceService::list(std::optional<std::int64_t> organization, Tenancy tenancy) {
  if (organization) confined_organization(*organization, tenancy);
  return ads::PgAudienceRepository(ads_).list(organization ? organization : tenancy.organization(), tenancy);
}

void AudienceService::remove(std::int64_t id, Tenancy tenancy) {
  if (!ads::PgAudienceRepository(ads_).remove(id, tenancy)) throw NotFound(describe(id) + " not found");
}

std::vector<ads::AudienceSize> AudienceService::history(std::int64_t id, Tenancy tenancy, int limit) {
  get(id, tenancy);
  return ads::PgAudienceRepository(ads_).history(id, limit);
}

std::int64_t AudienceService::estimate(std::int64_t organization, const ads::AudienceRules& rules,
                                       Tenancy tenancy) {
  const auto org = confined_organization(organization, tenancy);
  return crm::PgLeadSegments(crm_).count(org, criteria_of(ads::validate_rules(rules)));
}

std::vector<std::int64_t> AudienceService::members(std::int64_t id, Tenancy tenancy, std::int64_t limit,
                                                   std::int64_t offset) {
  get(id, tenancy);
  return crm::PgLeadSegments(crm_).members(id, limit, offset);
}

SegmentationReport AudienceService::segment(std::optional<std::int64_t> organization,
                                            const std::function<void(std::size_t, std::size_t)>& progress) {
  auto log = logging::get("segmentation");
  ads::PgAudienceRepository audiences(ads_);
  crm::PgLeadSegments segments(crm_);
  SegmentationReport report;
  report.computed_at = now_iso8601();
  auto live = audiences.list(organization, Tenancy::all());
  for (std::size_t i = 0; i < live.size(); ++i) {
    auto& a = live[i];
    try {
      const auto size = segments.materialize(a.id, a.organization_id, criteria_of(a.rules));
      audiences.record_size(a.id, size, report.computed_at);
      a.size = size;
      a.computed_at = report.computed_at;
      report.memberships += size;
      report.sized.push_back(a);
    } catch (const ValidationError& e) {
      // Rules stored before a validation change: skip this audience, keep going.
      ++report.failed;
      log->error("audience {}: {}", a.id, e.what());
    }
    ++report.audiences;
    if (progress) progress(i + 1, live.size());
  }
  if (!organization) {
    std::vector<std::int64_t> ids;
    for (const auto& a : live) ids.push_back(a.id);
    report.stale_memberships_removed = segments.forget_audiences_except(ids);
  }
  return report;
}

}  // namespace promptsales::sales
