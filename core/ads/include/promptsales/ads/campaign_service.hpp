#pragma once
/// Campaign business rules: validation, lifecycle, soft delete, checksums.
/// Adapters (CLI, HTTP) call this; it calls a CampaignRepository.

#include <cstdint>
#include <functional>
#include <vector>

#include "promptsales/ads/campaign.hpp"
#include "promptsales/ads/campaign_repository.hpp"
#include "promptsales/common/organizations.hpp"

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

  /// Throws ValidationError naming the first bad field.
  Campaign create(const CampaignDraft& draft);
  /// Throws NotFound for unknown or deleted campaigns.
  Campaign get(std::int64_t id);
  std::vector<Campaign> list(const CampaignFilter& filter);
  /// Throws ValidationError, NotFound, or Conflict for a forbidden transition.
  Campaign update(std::int64_t id, const CampaignPatch& patch);
  /// active|scheduled -> paused. Conflict otherwise.
  Campaign pause(std::int64_t id);
  /// paused -> active (scheduled if it starts in the future). Conflict otherwise.
  Campaign resume(std::int64_t id);
  /// Soft delete: hidden from lists unless includeDeleted. NotFound if already deleted.
  Campaign remove(std::int64_t id);

 private:
  Campaign change(std::int64_t id, const std::function<void(Campaign&)>& mutate);
  void notify(std::int64_t organization_id);

  CampaignRepository& repository_;
  OrganizationDirectory* organizations_;
  ChangeListener on_change_;
};

}  // namespace promptsales::ads
