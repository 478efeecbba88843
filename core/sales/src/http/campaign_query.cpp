#include "promptsales/sales/campaign_query.hpp"

#include <charconv>

#include "promptsales/ads/campaign_service.hpp"
#include "promptsales/ads/campaign_validation.hpp"
#include "promptsales/common/errors.hpp"
#include "promptsales/sales/page_cache.hpp"

namespace promptsales::sales {
namespace {

std::int64_t parse_integer(std::string_view name, std::string_view text, std::int64_t min, std::int64_t max) {
  std::int64_t value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) {
    throw ValidationError(std::string(name), "'" + std::string(text.substr(0, 40)) + "' is not an integer");
  }
  if (value < min || value > max) {
    throw ValidationError(std::string(name),
                          "must be between " + std::to_string(min) + " and " + std::to_string(max));
  }
  return value;
}

bool parse_bool(std::string_view name, std::string_view text) {
  if (text == "true" || text == "1") return true;
  if (text == "false" || text == "0") return false;
  throw ValidationError(std::string(name), "must be true or false");
}

}  // namespace

CampaignQuery parse_campaign_query(const http::Fields& query, const Tenancy& tenancy) {
  CampaignQuery q;
  auto& f = q.filter;
  unsigned seen = 0;
  const auto once = [&](unsigned bit, std::string_view name) {
    if (seen & bit) throw ValidationError(std::string(name), "is given more than once");
    seen |= bit;
  };
  for (const auto& [name, value] : query) {
    if (name == "organizationId") {
      once(1, name);
      f.organization_id = parse_integer(name, value, 1, INT64_MAX);
    } else if (name == "enabled") {
      once(2, name);
      f.enabled = parse_bool(name, value);
    } else if (name == "search") {
      once(4, name);
      if (!value.empty()) f.search = value;
    } else if (name == "includeDeleted") {
      once(8, name);
      f.include_deleted = parse_bool(name, value);
    } else if (name == "limit") {
      once(16, name);
      f.limit = static_cast<int>(parse_integer(name, value, 1, ads::kMaxPageSize));
    } else if (name == "offset") {
      once(32, name);
      f.offset = static_cast<int>(parse_integer(name, value, 0, ads::kMaxOffset));
    }
  }
  ads::CampaignService::confine(f, tenancy);
  ads::validate::filter(f);
  q.scope = f.organization_id ? PageCache::scope_of(*f.organization_id) : PageCache::kAllScope;
  // Search goes last: it may contain any character, the rest cannot.
  q.key.reserve(48 + (f.search ? f.search->size() : 0));
  q.key += "v1;o=";
  q.key += f.organization_id ? std::to_string(*f.organization_id) : "*";
  q.key += ";e=";
  q.key += f.enabled ? (*f.enabled ? "1" : "0") : "*";
  q.key += ";d=";
  q.key += f.include_deleted ? "1" : "0";
  q.key += ";l=" + std::to_string(f.limit) + ";f=" + std::to_string(f.offset) + ";s=";
  if (f.search) q.key += *f.search;
  return q;
}

std::int64_t parse_id(std::string_view text) { return parse_integer("id", text, 1, INT64_MAX); }

}  // namespace promptsales::sales
