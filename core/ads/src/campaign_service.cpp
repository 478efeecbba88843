#include "promptsales/ads/campaign_service.hpp"

#include "promptsales/ads/campaign_validation.hpp"
#include "promptsales/common/errors.hpp"
#include "promptsales/common/time.hpp"

namespace promptsales::ads {
namespace {

std::string describe(std::int64_t id) { return "campaign " + std::to_string(id); }

CampaignStatus initial_status(const CampaignDraft& d) {
  if (d.status) {
    if (*d.status == CampaignStatus::paused || *d.status == CampaignStatus::ended) {
      throw ValidationError("status", "a new campaign must be draft, scheduled or active");
    }
    return *d.status;
  }
  return CampaignStatus::draft;
}

// A date in a patch: absent (keep), null (clear) or a new value.
using DatePatch = std::optional<std::optional<std::string>>;
DatePatch date_patch(const char* field, const DatePatch& value) {
  if (!value) return std::nullopt;
  if (!*value) return std::optional<std::string>{};
  return std::optional<std::string>{validate::timestamp(field, **value)};
}

}  // namespace

CampaignService::CampaignService(CampaignRepository& repository, OrganizationDirectory* organizations,
                                 ChangeListener on_change)
    : repository_(repository), organizations_(organizations), on_change_(std::move(on_change)) {}

Campaign CampaignService::create(const CampaignDraft& draft, const Tenancy& tenancy) {
  CampaignDraft d = draft;
  if (const auto own = tenancy.organization()) {
    if (d.organization_id == 0) d.organization_id = *own;
    if (d.organization_id != *own) {
      throw Forbidden("organizationId: you can only create campaigns in organization " + std::to_string(*own));
    }
  }
  if (d.organization_id == 0) throw ValidationError("organizationId", "is required");
  Campaign c;
  c.organization_id = validate::organization_id(d.organization_id);
  c.name = validate::name(d.name);
  c.description = validate::description(d.description);
  c.status = initial_status(d);
  c.enabled = d.enabled;
  c.budget = validate::budget(d.budget);
  c.currency = validate::currency(d.currency);
  c.channels = validate::channels(d.channels);
  if (d.starts_at) c.starts_at = validate::timestamp("startsAt", *d.starts_at);
  if (d.ends_at) c.ends_at = validate::timestamp("endsAt", *d.ends_at);
  validate::schedule(c.starts_at, c.ends_at);
  if (organizations_ && !organizations_->exists(c.organization_id)) {
    throw ValidationError("organizationId", "organization " + std::to_string(c.organization_id) + " does not exist");
  }
  c.checksum = content_checksum(c);
  Campaign stored = repository_.insert(c);
  notify(stored.organization_id);
  return stored;
}

Campaign CampaignService::get(std::int64_t id, const Tenancy& tenancy) {
  auto c = repository_.find(id);
  if (!c || c->deleted || !tenancy.allows(c->organization_id)) throw NotFound(describe(id) + " not found");
  return *c;
}

void CampaignService::confine(CampaignFilter& filter, const Tenancy& tenancy) {
  const auto own = tenancy.organization();
  if (!own) return;
  if (filter.organization_id && *filter.organization_id != *own) {
    throw Forbidden("organizationId: this token is limited to organization " + std::to_string(*own));
  }
  filter.organization_id = *own;
}

CampaignFilter CampaignService::checked_filter(CampaignFilter filter, const Tenancy& tenancy) {
  confine(filter, tenancy);
  validate::filter(filter);
  return filter;
}

std::vector<Campaign> CampaignService::list(CampaignFilter filter, const Tenancy& tenancy) {
  return repository_.list(checked_filter(std::move(filter), tenancy));
}

Campaign CampaignService::update(std::int64_t id, const CampaignPatch& p, const Tenancy& tenancy) {
  if (p.empty()) throw ValidationError("", "nothing to update: give at least one field");
  // Validate what needs no stored state before taking any lock.
  const auto name = p.name ? std::optional(validate::name(*p.name)) : std::nullopt;
  const auto description = p.description ? std::optional(validate::description(*p.description)) : std::nullopt;
  const auto budget = p.budget ? std::optional(validate::budget(*p.budget)) : std::nullopt;
  const auto currency = p.currency ? std::optional(validate::currency(*p.currency)) : std::nullopt;
  const auto channels = p.channels ? std::optional(validate::channels(*p.channels)) : std::nullopt;
  const auto starts_at = date_patch("startsAt", p.starts_at);
  const auto ends_at = date_patch("endsAt", p.ends_at);

  return change(id, tenancy, [&](Campaign& c) {
    // An ended campaign is history: reports depend on it staying as it was.
    if (c.status == CampaignStatus::ended) throw Conflict(describe(id) + " has ended and can no longer be changed");
    if (p.status && !transition_allowed(c.status, *p.status)) {
      throw Conflict(describe(id) + " is " + std::string(to_string(c.status)) + " and cannot become " +
                     std::string(to_string(*p.status)));
    }
    if (name) c.name = *name;
    if (description) c.description = *description;
    if (p.status) c.status = *p.status;
    if (p.enabled) c.enabled = *p.enabled;
    if (budget) c.budget = *budget;
    if (currency) c.currency = *currency;
    if (channels) c.channels = *channels;
    if (starts_at) c.starts_at = *starts_at;
    if (ends_at) c.ends_at = *ends_at;
    validate::schedule(c.starts_at, c.ends_at);
  });
}

Campaign CampaignService::pause(std::int64_t id, const Tenancy& tenancy) {
  return change(id, tenancy, [&](Campaign& c) {
    if (c.status != CampaignStatus::active && c.status != CampaignStatus::scheduled) {
      throw Conflict(describe(id) + " is " + std::string(to_string(c.status)) +
                     "; only active or scheduled campaigns can be paused");
    }
    c.status = CampaignStatus::paused;
  });
}

Campaign CampaignService::resume(std::int64_t id, const Tenancy& tenancy) {
  return change(id, tenancy, [&](Campaign& c) {
    if (c.status != CampaignStatus::paused) {
      throw Conflict(describe(id) + " is " + std::string(to_string(c.status)) + "; only paused campaigns can be resumed");
    }
    const bool starts_later = c.starts_at && *c.starts_at > now_iso8601();
    c.status = starts_later ? CampaignStatus::scheduled : CampaignStatus::active;
  });
}

Campaign CampaignService::remove(std::int64_t id, const Tenancy& tenancy) {
  return change(id, tenancy, [](Campaign& c) { c.deleted = true; });
}

Campaign CampaignService::change(std::int64_t id, const Tenancy& tenancy,
                                 const std::function<void(Campaign&)>& mutate) {
  auto updated = repository_.modify(id, [&](Campaign& c) {
    // Runs on the locked row, so the organization cannot change under us.
    if (c.deleted || !tenancy.allows(c.organization_id)) throw NotFound(describe(id) + " not found");
    mutate(c);
    c.checksum = content_checksum(c);
  });
  if (!updated) throw NotFound(describe(id) + " not found");
  notify(updated->organization_id);
  return *updated;
}

void CampaignService::notify(std::int64_t organization_id) {
  if (on_change_) on_change_(organization_id);
}

}  // namespace promptsales::ads
