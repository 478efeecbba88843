#include "promptsales/sales/portal.hpp"

namespace promptsales::sales {

Portal::Portal(const Config& config, PortalOptions options)
    : databases_(config, options.pool_size),
      page_cache_(config),
      organizations_(databases_.control()),
      campaign_repository_(std::make_unique<ads::PgCampaignRepository>(databases_.ads())),
      campaigns_(std::make_unique<ads::CampaignService>(
          *campaign_repository_, &organizations_,
          [this](std::int64_t organization_id) { page_cache_.organization_changed(organization_id); })) {
  if (options.async_connections > 0) {
    db::AsyncPgOptions o;
    o.url = databases_.ads_url();
    o.connections_per_thread = options.async_connections;
    o.pipeline_depth = options.async_pipeline_depth;
    o.wait_timeout = config.millis("db_pool_timeout_ms");
    o.statement_timeout = config.millis("db_statement_timeout_ms");
    async_campaigns_ = std::make_unique<ads::AsyncCampaignList>(std::move(o));
  }
}

}  // namespace promptsales::sales
