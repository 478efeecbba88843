#pragma once
/// CampaignRepository on the PromptAds PostgreSQL database.

#include <pqxx/connection>

#include "promptsales/ads/campaign_repository.hpp"

namespace promptsales::db {
class Pool;
}

namespace promptsales::ads {

class PgCampaignRepository final : public CampaignRepository {
 public:
  explicit PgCampaignRepository(db::Pool& pool) : pool_(pool) {}

  /// Declares the named statements on a new connection (pool on_connect hook).
  static void prepare_statements(pqxx::connection& conn);

  Campaign insert(const Campaign& c) override;
  std::optional<Campaign> find(std::int64_t id) override;
  std::vector<Campaign> list(const CampaignFilter& filter) override;
  std::optional<Campaign> modify(std::int64_t id, const std::function<void(Campaign&)>& mutate) override;

 private:
  db::Pool& pool_;
};

/// `%` + value with LIKE wildcards escaped + `%`.
std::string like_contains_pattern(std::string_view value);

}  // namespace promptsales::ads
