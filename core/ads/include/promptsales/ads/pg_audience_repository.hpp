#pragma once
/// Audiences and their size history in the PromptAds database.

#include <cstdint>
#include <optional>
#include <vector>

#include "promptsales/ads/audience.hpp"
#include "promptsales/common/tenancy.hpp"

namespace promptsales::db {
class Pool;
}

namespace promptsales::ads {

class PgAudienceRepository {
 public:
  explicit PgAudienceRepository(db::Pool& pool) : pool_(pool) {}

  /// Inserts a validated draft. Throws Conflict when the organization has a
  /// live audience of that name (case-insensitive).
  Audience create(const AudienceDraft& draft);
  /// The live audience `id` if `tenancy` allows its organization; nullopt
  /// otherwise (another organization's audience is not revealed).
  std::optional<Audience> find(std::int64_t id, Tenancy tenancy);
  /// Live audiences of `organization` (every organization when nullopt) that
  /// `tenancy` allows, by id.
  std::vector<Audience> list(std::optional<std::int64_t> organization, Tenancy tenancy);
  /// Soft-deletes; false when there is no such live audience for `tenancy`.
  bool remove(std::int64_t id, Tenancy tenancy);
  /// Appends one point of the size history (the segmentation job).
  void record_size(std::int64_t id, std::int64_t size, const std::string& computed_at);
  /// The newest `limit` points, newest first.
  std::vector<AudienceSize> history(std::int64_t id, int limit);

 private:
  db::Pool& pool_;
};

}  // namespace promptsales::ads
