// The campaign list's query string, from the raw target text to the parsed
// filter and its cache key: every outcome is either a valid filter or a
// client error (4xx with a valid JSON body), never another exception.
// Properties: the filter is within its documented bounds, and the cache key
// does not depend on the order of the parameters.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "client_error.hpp"
#include "fuzz_check.hpp"
#include "promptsales/ads/campaign.hpp"
#include "promptsales/common/http/message.hpp"
#include "promptsales/common/tenancy.hpp"
#include "promptsales/sales/campaign_query.hpp"

namespace {

using promptsales::http::Fields;
using promptsales::sales::CampaignQuery;
using promptsales::sales::parse_campaign_query;

void check_query(const CampaignQuery& q) {
  const auto& f = q.filter;
  FUZZ_CHECK(f.limit >= 1 && f.limit <= promptsales::ads::kMaxPageSize);
  FUZZ_CHECK(f.offset >= 0 && f.offset <= promptsales::ads::kMaxOffset);
  FUZZ_CHECK(!f.organization_id || *f.organization_id >= 1);
  FUZZ_CHECK(q.key.rfind("v1;o=", 0) == 0);
  FUZZ_CHECK(q.scope == (f.organization_id ? "org:" + std::to_string(*f.organization_id) : std::string("all")));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string target = "/api/v1/campaigns?" + std::string(reinterpret_cast<const char*>(data), size);
  const auto parsed = promptsales::http::parse_target(target);
  if (!parsed) return 0;  // the server answers 400 before any route runs

  for (const auto& [name, value] : parsed->query) {
    try {
      FUZZ_CHECK(promptsales::sales::parse_id(value) >= 1);
    } catch (const promptsales::Error& e) {
      promptsales::fuzz::check_client_error(e);
    }
  }

  // Tenant isolation: whatever the query says, a caller confined to
  // organization 7 gets organization 7's filter and cache scope, or an error.
  try {
    const CampaignQuery confined = parse_campaign_query(parsed->query, promptsales::Tenancy::only(7));
    check_query(confined);
    FUZZ_CHECK(confined.filter.organization_id == 7);
    FUZZ_CHECK(confined.scope == "org:7");
  } catch (const promptsales::Error& e) {
    promptsales::fuzz::check_client_error(e);
  }

  std::string key;
  try {
    const CampaignQuery q = parse_campaign_query(parsed->query, promptsales::Tenancy::all());
    check_query(q);
    key = q.key;
  } catch (const promptsales::Error& e) {
    promptsales::fuzz::check_client_error(e);
    return 0;
  }

  Fields reversed = parsed->query;
  std::reverse(reversed.begin(), reversed.end());
  // Must not throw either.
  const CampaignQuery again = parse_campaign_query(reversed, promptsales::Tenancy::all());
  FUZZ_CHECK(again.key == key);
  return 0;
}
