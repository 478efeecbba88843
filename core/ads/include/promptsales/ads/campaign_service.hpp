#pragma once
/// Campaign business rules: validation, lifecycle, soft delete, checksums.
/// Adapters (CLI, HTTP) call this; it calls a CampaignRepository.

#include <cstdint>
#include <functional>
#include <vector>

#include "promptsales/ads/campaign.hpp"
#include "promptsales/ads/campaign_repository.hpp"
#include "promptsales/common/organizations.hpp"

#include "promptsales/common/tenancy.hpp"

namespace promptsales::ads {

class CampaignService {
 public:
  /// Called after every successful write with the campaign's organization,
  /// e.g. to invalidate cached pages.
  using ChangeListener = std::function<void(std::int64_t organization_id)>;

  /// `organizations` (optional) is asked whether a new campaign's
  /// organization exists.
  CampaignService(CampaignRepository& repository, OrganizationDirectory* organizations = nullptr,
                  ChangeListener on_change = {});

  // Every operation takes the caller's Tenancy: a customer's user only ever
  // reaches campaigns of its organization. Another organization's campaign
  // is reported as not found (404), so its existence is not revealed; the
  // check runs inside the write's transaction, on the locked row.
  // The overloads without a Tenancy are operator access (CLI, jobs).

  /// Throws ValidationError naming the first bad field; Forbidden when the
  /// draft names an organization the tenancy does not allow (an absent one
  /// defaults to the caller's).
  Campaign create(const CampaignDraft& draft, const Tenancy& tenancy);
  Campaign create(const CampaignDraft& draft) { return create(draft, Tenancy::all()); }
  /// Throws NotFound for unknown, deleted or out-of-tenancy campaigns.
  Campaign get(std::int64_t id, const Tenancy& tenancy);
  Campaign get(std::int64_t id) { return get(id, Tenancy::all()); }
  /// The filter is confined to the tenancy first (see confine()).
  std::vector<Campaign> list(CampaignFilter filter, const Tenancy& tenancy);
  std::vector<Campaign> list(const CampaignFilter& filter) { return list(filter, Tenancy::all()); }
  /// Throws ValidationError, NotFound, or Conflict for a forbidden transition.
  Campaign update(std::int64_t id, const CampaignPatch& patch, const Tenancy& tenancy);
  Campaign update(std::int64_t id, const CampaignPatch& patch) { return update(id, patch, Tenancy::all()); }
  /// active|scheduled -> paused. Conflict otherwise.
  Campaign pause(std::int64_t id, const Tenancy& tenancy);
  Campaign pause(std::int64_t id) { return pause(id, Tenancy::all()); }
  /// paused -> active (scheduled if it starts in the future). Conflict otherwise.
  Campaign resume(std::int64_t id, const Tenancy& tenancy);
  Campaign resume(std::int64_t id) { return resume(id, Tenancy::all()); }
  /// Soft delete: hidden from lists unless includeDeleted. NotFound if already deleted.
  Campaign remove(std::int64_t id, const Tenancy& tenancy);
  Campaign remove(std::int64_t id) { return remove(id, Tenancy::all()); }

  /// Restricts `filter` to the tenancy: a confined caller's filter gets its
  /// organization; naming another organization is Forbidden.
  static void confine(CampaignFilter& filter, const Tenancy& tenancy);
  /// What list() runs: `filter` confined to the tenancy, then validated
  /// (Forbidden, ValidationError). The asynchronous list path calls it too.
  static CampaignFilter checked_filter(CampaignFilter filter, const Tenancy& tenancy);

 private:
  Campaign change(std::int64_t id, const Tenancy& tenancy, const std::function<void(Campaign&)>& mutate);
  void notify(std::int64_t organization_id);

  CampaignRepository& repository_;
  OrganizationDirectory* organizations_;
  ChangeListener on_change_;
};

}  // namespace promptsales::ads
