#pragma once
/// CampaignRepository on the PromptAds PostgreSQL database.

#include <optional>
#include <string>
#include <vector>

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

/// The list query as the repository runs it: which prepared variant (one
/// per combination of filters) and its text parameters. The asynchronous
/// list (async_campaign_list.hpp) runs exactly these, so both paths share
/// one SQL text and one plan per variant.
struct ListStatement {
  unsigned variant = 0;
  std::vector<std::optional<std::string>> params;
};
ListStatement list_statement(const CampaignFilter& filter);
/// Number of list variants (0 .. kListVariants-1).
inline constexpr unsigned kListVariants = 16;
/// The prepared statement name and SQL of one variant.
std::string list_statement_name(unsigned variant);
std::string list_sql(unsigned variant);

/// `%` + value with LIKE wildcards escaped + `%`.
std::string like_contains_pattern(std::string_view value);

}  // namespace promptsales::ads
