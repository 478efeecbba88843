#include "promptsales/ads/campaign_json.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "json_fields.hpp"
#include "promptsales/ads/campaign_validation.hpp"
#include "promptsales/common/errors.hpp"
#include "promptsales/common/json_escape.hpp"

namespace promptsales::ads {
namespace {

using nlohmann::json;
using namespace json_fields;

void append_optional_string(std::string& out, const std::optional<std::string>& v) {
  if (v) {
    append_json_string(out, *v);
  } else {
    out += "null";
  }
}

// Budgets arrive as numbers (1500.5) or strings ("1500.50"); keep them exact.
std::string get_amount(const json& v, const char* field) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer() || v.is_number_unsigned()) return v.dump();
  if (v.is_number_float()) {
    const double d = v.get<double>();
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.2f", d);
    // Refuse amounts whose binary form does not round-trip to two decimals.
    if (std::abs(std::strtod(buf, nullptr) - d) > 1e-9 * std::max(1.0, std::abs(d))) {
      throw ValidationError(field, "has more than two decimal places");
    }
    return buf;
  }
  throw ValidationError(field, "must be a number");
}

}  // namespace

void append_campaign_json(std::string& out, const Campaign& c) {
  out += "{\"id\":";
  out += std::to_string(c.id);
  out += ",\"organizationId\":";
  out += std::to_string(c.organization_id);
  out += ",\"name\":";
  append_json_string(out, c.name);
  out += ",\"description\":";
  append_json_string(out, c.description);
  out += ",\"status\":\"";
  out += to_string(c.status);
  out += "\",\"enabled\":";
  out += c.enabled ? "true" : "false";
  out += ",\"deleted\":";
  out += c.deleted ? "true" : "false";
  out += ",\"budget\":";
  out += c.budget;  // numeric(14,2) text is a valid JSON number
  out += ",\"currency\":";
  append_json_string(out, c.currency);
  out += ",\"channels\":[";
  for (std::size_t i = 0; i < c.channels.size(); ++i) {
    if (i) out.push_back(',');
    append_json_string(out, c.channels[i]);
  }
  out += "],\"startsAt\":";
  append_optional_string(out, c.starts_at);
  out += ",\"endsAt\":";
  append_optional_string(out, c.ends_at);
  out += ",\"checksum\":\"";
  out += c.checksum;
  out += "\",\"createdAt\":\"";
  out += c.created_at;
  out += "\",\"updatedAt\":\"";
  out += c.updated_at;
  out += "\"}";
}

std::string campaign_to_json(const Campaign& c) {
  std::string out;
  out.reserve(512);
  append_campaign_json(out, c);
  return out;
}

std::string campaigns_to_json(const std::vector<Campaign>& campaigns) {
  std::string out;
  out.reserve(64 + campaigns.size() * 480);
  out.push_back('[');
  for (std::size_t i = 0; i < campaigns.size(); ++i) {
    if (i) out.push_back(',');
    append_campaign_json(out, campaigns[i]);
  }
  out.push_back(']');
  return out;
}

CampaignDraft draft_from_json(std::string_view body) {
  const json j = parse_object(body);
  CampaignDraft d;
  bool has_name = false;
  for (const auto& [key, v] : j.items()) {
    if (key == "organizationId") {
      d.organization_id = get_id(v, "organizationId");
    } else if (key == "name") {
      d.name = get_string(v, "name");
      has_name = true;
    } else if (key == "description") {
      d.description = v.is_null() ? "" : get_string(v, "description");
    } else if (key == "status") {
      d.status = validate::status(get_string(v, "status"));
    } else if (key == "enabled") {
      d.enabled = get_bool(v, "enabled");
    } else if (key == "budget") {
      d.budget = get_amount(v, "budget");
    } else if (key == "currency") {
      d.currency = get_string(v, "currency");
    } else if (key == "channels") {
      d.channels = get_string_list(v, "channels");
    } else if (key == "startsAt") {
      d.starts_at = get_nullable_string(v, "startsAt");
    } else if (key == "endsAt") {
      d.ends_at = get_nullable_string(v, "endsAt");
    } else {
      throw ValidationError(key, "is not a campaign field");
    }
  }
  // organizationId may be absent: a confined caller's comes from its token
  // (CampaignService::create), and an operator's absence is refused there.
  if (!has_name) throw ValidationError("name", "is required");
  return d;
}

CampaignPatch patch_from_json(std::string_view body) {
  const json j = parse_object(body);
  CampaignPatch p;
  for (const auto& [key, v] : j.items()) {
    if (key == "name") {
      p.name = get_string(v, "name");
    } else if (key == "description") {
      p.description = v.is_null() ? "" : get_string(v, "description");
    } else if (key == "status") {
      p.status = validate::status(get_string(v, "status"));
    } else if (key == "enabled") {
      p.enabled = get_bool(v, "enabled");
    } else if (key == "budget") {
      p.budget = get_amount(v, "budget");
    } else if (key == "currency") {
      p.currency = get_string(v, "currency");
    } else if (key == "channels") {
      p.channels = get_string_list(v, "channels");
    } else if (key == "startsAt") {
      p.starts_at = get_nullable_string(v, "startsAt");
    } else if (key == "endsAt") {
      p.ends_at = get_nullable_string(v, "endsAt");
    } else if (key == "organizationId" || key == "id" || key == "createdAt" || key == "updatedAt" ||
               key == "checksum" || key == "deleted") {
      throw ValidationError(key, "cannot be changed");
    } else {
      throw ValidationError(key, "is not a campaign field");
    }
  }
  return p;
}

}  // namespace promptsales::ads
