#include "promptsales/sales/lead_services.hpp"

#include "promptsales/common/errors.hpp"
#include "promptsales/sales/portal.hpp"

namespace promptsales::sales {

LeadServices::LeadServices(Portal& portal, std::optional<crypto::Keyring> keys)
    : portal_(portal), keys_(std::move(keys)) {}

LeadServices::~LeadServices() = default;

void LeadServices::open() {
  if (!keys_) {
    throw Unavailable("leads are unavailable: this server has no data key (PROMPTSALES_DATA_KEY or data_key_file)");
  }
  // call_once: the first request of many concurrent ones opens the pool and
  // loads the blind index key; the others wait, then share them.
  std::call_once(opened_, [this] {
    auto& pool = portal_.databases().crm();
    auto leads = std::make_unique<crm::PgLeadStore>(pool, *keys_);
    leads->cipher();
    auto captures = std::make_unique<crm::PgLeadCaptures>(pool, *keys_);
    leads_ = std::move(leads);
    captures_ = std::move(captures);
  });
}

crm::PgLeadStore& LeadServices::leads() {
  open();
  return *leads_;
}

crm::PgLeadCaptures& LeadServices::captures() {
  open();
  return *captures_;
}

crm::CaptureWithSecret LeadServices::configure_capture(std::int64_t organization_id, std::int64_t campaign_id,
                                                       Tenancy tenancy) {
  if (organization_id <= 0) throw ValidationError("org", "must be a positive organization id");
  if (!tenancy.allows(organization_id)) {
    throw Forbidden("org: this caller is limited to organization " + std::to_string(*tenancy.organization()));
  }
  // The campaign lives in the ads context: asking its service as the
  // organization answers NotFound for a missing, deleted or foreign one.
  try {
    portal_.campaigns().get(campaign_id, Tenancy::only(organization_id));
  } catch (const NotFound&) {
    throw NotFound("campaign " + std::to_string(campaign_id) + " not found in organization " +
                   std::to_string(organization_id));
  }
  return captures().create(organization_id, campaign_id);
}

}  // namespace promptsales::sales
