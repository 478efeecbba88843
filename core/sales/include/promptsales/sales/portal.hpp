#pragma once
/// The composition root of the portal's services for one process: opens the
/// databases from the configuration and wires repositories, services and
/// cache invalidation together. CLI commands and `serve` both start here, so a
/// change made from the terminal invalidates the API's cached pages too.

#include <cstdint>
#include <memory>
#include <vector>

#include "promptsales/ads/async_campaign_list.hpp"
#include "promptsales/ads/campaign_service.hpp"
#include "promptsales/ads/pg_campaign_repository.hpp"
#include "promptsales/common/config.hpp"
#include "promptsales/common/organizations.hpp"
#include "promptsales/sales/databases.hpp"
#include "promptsales/sales/page_cache.hpp"

namespace promptsales::sales {

struct PortalOptions {
  /// Connections per database (CLI commands need few; `serve` many).
  std::size_t pool_size = 2;
  /// Connections per HTTP I/O thread for the campaign page's reads on the
  /// event loop (`serve`); 0 = none (CLI commands, or turned off).
  std::size_t async_connections = 0;
  /// Queries in flight per such connection (above 1: pipeline mode).
  std::size_t async_pipeline_depth = 1;
};

class Portal {
 public:
  explicit Portal(const Config& config, PortalOptions options = {});

  ads::CampaignService& campaigns() { return *campaigns_; }
  PgOrganizations& organizations() { return organizations_; }
  Databases& databases() { return databases_; }
  PageCache& page_cache() { return page_cache_; }
  /// The campaign list on the I/O threads' own connections; null unless
  /// PortalOptions::async_connections > 0.
  ads::AsyncCampaignList* async_campaigns() { return async_campaigns_.get(); }

 private:
  Databases databases_;
  PageCache page_cache_;
  PgOrganizations organizations_;
  std::unique_ptr<ads::PgCampaignRepository> campaign_repository_;
  std::unique_ptr<ads::CampaignService> campaigns_;
  std::unique_ptr<ads::AsyncCampaignList> async_campaigns_;
};

}  // namespace promptsales::sales
