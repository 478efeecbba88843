#include "promptsales/sales/portal.hpp"

namespace promptsales::sales {

Portal::Portal(const Config& config, PortalOptions options)
    : databases_(config, options.pool_size),
      page_cache_(config),
      organizations_(databases_.control()),
      campaign_repository_(std::make_unique<ads::PgCampaignRepository>(databases_.ads())),
      campaigns_(std::make_unique<ads::CampaignService>(
          *campaign_repository_, &organizations_,
          [this](std::int64_t organization_id) { page_cache_.organization_changed(organization_id); })) {}

}  // namespace promptsales::sales
