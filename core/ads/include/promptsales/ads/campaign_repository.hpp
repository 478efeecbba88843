#pragma once
/// Storage of campaigns. The service depends on this interface; the
/// PostgreSQL implementation is PgCampaignRepository.

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "promptsales/ads/campaign.hpp"

namespace promptsales::ads {

class CampaignRepository {
 public:
  virtual ~CampaignRepository() = default;

  /// Inserts a validated campaign (id, timestamps assigned by the store).
  virtual Campaign insert(const Campaign& c) = 0;
  /// The campaign with `id`, deleted or not.
  virtual std::optional<Campaign> find(std::int64_t id) = 0;
  virtual std::vector<Campaign> list(const CampaignFilter& filter) = 0;
  /// Atomically reads campaign `id`, lets `mutate` change it (it may throw to
  /// abort), and stores the result. nullopt if `id` does not exist.
  virtual std::optional<Campaign> modify(std::int64_t id, const std::function<void(Campaign&)>& mutate) = 0;
};

}  // namespace promptsales::ads
