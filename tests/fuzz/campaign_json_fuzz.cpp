// Campaign request bodies: draft_from_json (POST) and patch_from_json (PUT),
// followed by the field rules CampaignService applies. Every outcome is
// either a campaign or a client error (4xx with a valid JSON body), never
// another exception; an accepted campaign serializes to valid JSON.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "client_error.hpp"
#include "fuzz_check.hpp"
#include "promptsales/ads/campaign.hpp"
#include "promptsales/ads/campaign_json.hpp"
#include "promptsales/ads/campaign_validation.hpp"

namespace {

namespace ads = promptsales::ads;
namespace validate = promptsales::ads::validate;

/// What CampaignService::create does with a draft before storing it.
ads::Campaign validated(const ads::CampaignDraft& d) {
  ads::Campaign c;
  c.organization_id = validate::organization_id(d.organization_id);
  c.name = validate::name(d.name);
  c.description = validate::description(d.description);
  if (d.status) c.status = *d.status;
  c.enabled = d.enabled;
  c.budget = validate::budget(d.budget);
  c.currency = validate::currency(d.currency);
  c.channels = validate::channels(d.channels);
  if (d.starts_at) c.starts_at = validate::timestamp("startsAt", *d.starts_at);
  if (d.ends_at) c.ends_at = validate::timestamp("endsAt", *d.ends_at);
  validate::schedule(c.starts_at, c.ends_at);
  c.checksum = ads::content_checksum(c);
  return c;
}

/// What CampaignService::update checks of a patch's fields.
void validate_patch(const ads::CampaignPatch& p) {
  if (p.name) validate::name(*p.name);
  if (p.description) validate::description(*p.description);
  if (p.budget) validate::budget(*p.budget);
  if (p.currency) validate::currency(*p.currency);
  if (p.channels) validate::channels(*p.channels);
  if (p.starts_at && *p.starts_at) validate::timestamp("startsAt", **p.starts_at);
  if (p.ends_at && *p.ends_at) validate::timestamp("endsAt", **p.ends_at);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  try {
    const ads::Campaign c = validated(ads::draft_from_json(body));
    FUZZ_CHECK(nlohmann::json::accept(ads::campaign_to_json(c)));
  } catch (const promptsales::Error& e) {
    promptsales::fuzz::check_client_error(e);
  }
  try {
    validate_patch(ads::patch_from_json(body));
  } catch (const promptsales::Error& e) {
    promptsales::fuzz::check_client_error(e);
  }
  return 0;
}
