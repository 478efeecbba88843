#include "promptsales/ads/async_campaign_list.hpp"

#include "promptsales/ads/campaign_rows_json.hpp"
#include "promptsales/ads/pg_campaign_repository.hpp"

namespace promptsales::ads {

db::AsyncPgOptions AsyncCampaignList::with_statements(db::AsyncPgOptions options) {
  // Statement index == variant number, so list_json needs no lookup.
  options.statements.clear();
  for (unsigned variant = 0; variant < kListVariants; ++variant) {
    options.statements.push_back({list_statement_name(variant), list_sql(variant)});
  }
  return options;
}

AsyncCampaignList::AsyncCampaignList(db::AsyncPgOptions options) : pg_(with_statements(std::move(options))) {}

void AsyncCampaignList::list_json(boost::asio::io_context& io, const CampaignFilter& filter, Done done) {
  ListStatement statement = list_statement(filter);
  pg_.query(io, statement.variant, std::move(statement.params),
            [done = std::move(done)](const pg_result* result, std::exception_ptr error) {
              if (error) {
                done(std::string(), std::move(error));
                return;
              }
              std::string json;
              try {
                json = campaign_rows_to_json(result);
              } catch (...) {
                done(std::string(), std::current_exception());
                return;
              }
              done(std::move(json), nullptr);
            });
}

}  // namespace promptsales::ads
