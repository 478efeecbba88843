#pragma once
/// Audiences across two contexts: defined in ads (PromptAds database),
/// matched against leads in crm (PromptCrm database). `estimate` counts the
/// leads that match now; `segment` (the nightly segmentation job)
/// materialises every audience's membership and appends to its size history.

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "promptsales/ads/audience.hpp"
#include "promptsales/common/tenancy.hpp"
#include "promptsales/crm/lead_criteria.hpp"

namespace promptsales::db {
class Pool;
}

namespace promptsales::sales {

/// The CRM criteria of audience rules. Throws ValidationError
/// ("rules.statuses") for a status the lead lifecycle does not have.
crm::LeadCriteria criteria_of(const ads::AudienceRules& rules);

struct SegmentationReport {
  std::string computed_at;            ///< one timestamp for the whole run
  std::int64_t audiences = 0;
  std::int64_t memberships = 0;       ///< sum of the sizes
  std::int64_t failed = 0;            ///< audiences whose rules could not be applied
  std::int64_t stale_memberships_removed = 0;
  std::vector<ads::Audience> sized;   ///< each audience with its new size
};

class AudienceService {
 public:
  AudienceService(db::Pool& ads, db::Pool& crm);

  /// A confined caller's organization comes from its tenancy; naming another
  /// is Forbidden. Throws ValidationError, Conflict (name taken).
  ads::Audience create(ads::AudienceDraft draft, Tenancy tenancy);
  /// Throws NotFound (also for another organization's audience).
  ads::Audience get(std::int64_t id, Tenancy tenancy);
  std::vector<ads::Audience> list(std::optional<std::int64_t> organization, Tenancy tenancy);
  void remove(std::int64_t id, Tenancy tenancy);
  std::vector<ads::AudienceSize> history(std::int64_t id, Tenancy tenancy, int limit);
  /// Leads of `organization` matching `rules` now (nothing is stored).
  std::int64_t estimate(std::int64_t organization, const ads::AudienceRules& rules, Tenancy tenancy);
  /// Member lead ids from the last segmentation.
  std::vector<std::int64_t> members(std::int64_t id, Tenancy tenancy, std::int64_t limit, std::int64_t offset);

  /// Materialises every live audience (of `organization`, or all). Calls
  /// `progress(done, total)` after each audience.
  SegmentationReport segment(std::optional<std::int64_t> organization,
                             const std::function<void(std::size_t, std::size_t)>& progress = {});

 private:
  db::Pool& ads_;
  db::Pool& crm_;
};

}  // namespace promptsales::sales
