#pragma once
/// The portal's campaign list query string: parsing, validation and the
/// canonical cache key, so equal queries share one cache entry whatever the
/// parameter order.

#include <string>

#include "promptsales/ads/campaign.hpp"
#include "promptsales/common/http/message.hpp"
#include "promptsales/common/tenancy.hpp"

namespace promptsales::sales {

struct CampaignQuery {
  ads::CampaignFilter filter;
  std::string scope;  ///< cache scope: "org:<id>" or "all"
  std::string key;    ///< canonical form of the filter
};

/// organizationId, enabled, search, includeDeleted, limit (default 20, at
/// most 100), offset. Throws ValidationError naming the parameter; unknown
/// parameters are ignored (clients of the original API send extras). The
/// filter is confined to `tenancy` before the cache key is made, so a
/// confined caller can only ever reach its own organization's pages
/// (Forbidden when it names another).
CampaignQuery parse_campaign_query(const http::Fields& query, const Tenancy& tenancy);

/// A positive id from a path segment; ValidationError("id", ...) otherwise.
std::int64_t parse_id(std::string_view text);

}  // namespace promptsales::sales
