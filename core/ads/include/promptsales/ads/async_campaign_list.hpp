#pragma once
/// The campaign page from PostgreSQL without leaving the HTTP I/O thread:
/// the repository's list statements (list_statement, list_sql) run through
/// db::AsyncPg, and the rows become the page's JSON directly
/// (campaign_rows_json.hpp). The blocking path (CampaignService::list and
/// campaigns_to_json) gives the same bytes.

#include <exception>
#include <functional>
#include <string>

#include "promptsales/ads/campaign.hpp"
#include "promptsales/common/db/async_pg.hpp"

namespace promptsales::ads {

class AsyncCampaignList {
 public:
  /// The page's JSON, or the error (Unavailable when the database is down).
  using Done = std::function<void(std::string json, std::exception_ptr error)>;

  /// `options` without statements: the list variants are added here.
  explicit AsyncCampaignList(db::AsyncPgOptions options);

  /// Lists the campaigns `filter` selects. The filter must already be
  /// confined and validated (CampaignService::checked_filter). Call on the
  /// thread running `io`; `done` runs later on it.
  void list_json(boost::asio::io_context& io, const CampaignFilter& filter, Done done);

  db::AsyncPgStats stats() const noexcept { return pg_.stats(); }

 private:
  static db::AsyncPgOptions with_statements(db::AsyncPgOptions options);
  db::AsyncPg pg_;
};

}  // namespace promptsales::ads
