#pragma once
/// The CRM side of the portal: the lead store and the capture endpoints on
/// the PromptCrm database, and `configure_capture` (the original contract's
/// configurarCapturaLeads), which joins the two contexts: the campaign must
/// exist in PromptAds and belong to the organization before crm makes an
/// endpoint for it.

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>

#include "promptsales/common/crypto/data_key.hpp"
#include "promptsales/common/tenancy.hpp"
#include "promptsales/crm/lead_capture.hpp"
#include "promptsales/crm/lead_store.hpp"

namespace promptsales::sales {

class Portal;

class LeadServices {
 public:
  /// `keys` may be empty (no data key configured): every call then throws
  /// ConfigError saying so, and nothing else of the portal is affected.
  /// Opens the CRM database on first use, not here.
  LeadServices(Portal& portal, std::optional<crypto::Keyring> keys);
  ~LeadServices();

  crm::PgLeadStore& leads();
  crm::PgLeadCaptures& captures();

  /// A capture endpoint for `campaign_id`, which must be a live campaign of
  /// `organization_id` (NotFound otherwise, also when `tenancy` excludes
  /// the organization). The secret is in the result, and only there.
  crm::CaptureWithSecret configure_capture(std::int64_t organization_id, std::int64_t campaign_id, Tenancy tenancy);

 private:
  void open();
  Portal& portal_;
  std::optional<crypto::Keyring> keys_;
  std::once_flag opened_;
  std::unique_ptr<crm::PgLeadStore> leads_;
  std::unique_ptr<crm::PgLeadCaptures> captures_;
};

}  // namespace promptsales::sales
