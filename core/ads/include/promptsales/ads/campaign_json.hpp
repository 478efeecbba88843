#pragma once
/// The API's camelCase JSON form of campaigns, both ways.

#include <string>
#include <string_view>
#include <vector>

#include "promptsales/ads/campaign.hpp"

namespace promptsales::ads {

/// Appends one campaign object. Hand-written: this runs for every row of the
/// portal's page on a cache miss.
void append_campaign_json(std::string& out, const Campaign& c);
std::string campaign_to_json(const Campaign& c);
/// A JSON array of campaigns.
std::string campaigns_to_json(const std::vector<Campaign>& campaigns);

/// Parses a create request body. Throws ValidationError for malformed JSON,
/// unknown fields and wrong types, naming the field.
CampaignDraft draft_from_json(std::string_view body);
/// Parses an update request body (only the present fields change; `null`
/// clears startsAt/endsAt).
CampaignPatch patch_from_json(std::string_view body);

}  // namespace promptsales::ads
