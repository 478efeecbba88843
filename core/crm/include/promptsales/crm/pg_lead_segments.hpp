#pragma once
/// Counting and materialising the leads that match criteria, in the CRM
/// database: `audience estimate` and the segmentation job.

#include <cstdint>
#include <vector>

#include "promptsales/crm/lead_criteria.hpp"

namespace promptsales::db {
class Pool;
}

namespace promptsales::crm {

class PgLeadSegments {
 public:
  explicit PgLeadSegments(db::Pool& crm) : pool_(crm) {}

  /// Leads of `organization_id` matching `c` now.
  std::int64_t count(std::int64_t organization_id, const LeadCriteria& c);
  /// Replaces the membership of `audience_id` with the matching leads, in
  /// one transaction (readers see the old or the new set, never a mix);
  /// returns its size.
  std::int64_t materialize(std::int64_t audience_id, std::int64_t organization_id, const LeadCriteria& c);
  /// Member lead ids of `audience_id`, ascending, paged.
  std::vector<std::int64_t> members(std::int64_t audience_id, std::int64_t limit, std::int64_t offset);
  /// Drops the membership of audiences no longer live (deleted ones).
  std::int64_t forget_audiences_except(const std::vector<std::int64_t>& live_ids);

 private:
  db::Pool& pool_;
};

}  // namespace promptsales::crm
