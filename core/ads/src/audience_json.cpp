#include <nlohmann/json.hpp>

#include "json_fields.hpp"
#include "promptsales/ads/audience.hpp"

namespace promptsales::ads {
namespace {

using nlohmann::json;
using namespace json_fields;

json rules_object(const AudienceRules& r) {
  json j = json::object();
  if (!r.countries.empty()) j["countries"] = r.countries;
  if (!r.interests.empty()) j["interests"] = r.interests;
  if (r.min_age) j["minAge"] = *r.min_age;
  if (r.max_age) j["maxAge"] = *r.max_age;
  if (r.min_score) j["minScore"] = *r.min_score;
  if (r.max_score) j["maxScore"] = *r.max_score;
  if (!r.statuses.empty()) j["statuses"] = r.statuses;
  if (!r.sources.empty()) j["sources"] = r.sources;
  return j;
}

std::optional<int> get_bound(const json& v, const std::string& field) {
  if (v.is_null()) return std::nullopt;
  if (!v.is_number_integer() && !v.is_number_unsigned()) throw ValidationError(field, "must be an integer");
  const auto n = v.get<std::int64_t>();
  if (n < -1'000'000 || n > 1'000'000) throw ValidationError(field, "is out of range");
  return static_cast<int>(n);
}

AudienceRules rules_of(const json& j, const std::string& prefix) {
  if (!j.is_object()) throw ValidationError(prefix, "must be a JSON object");
  AudienceRules r;
  for (const auto& [key, v] : j.items()) {
    const std::string field = prefix + "." + key;
    if (key == "countries") {
      r.countries = get_string_list(v, field.c_str());
    } else if (key == "interests") {
      r.interests = get_string_list(v, field.c_str());
    } else if (key == "statuses") {
      r.statuses = get_string_list(v, field.c_str());
    } else if (key == "sources") {
      r.sources = get_string_list(v, field.c_str());
    } else if (key == "minAge") {
      r.min_age = get_bound(v, field);
    } else if (key == "maxAge") {
      r.max_age = get_bound(v, field);
    } else if (key == "minScore") {
      r.min_score = get_bound(v, field);
    } else if (key == "maxScore") {
      r.max_score = get_bound(v, field);
    } else {
      throw ValidationError(field, "is not an audience rule (countries, interests, minAge, maxAge, minScore, "
                                   "maxScore, statuses, sources)");
    }
  }
  return r;
}

}  // namespace

std::string rules_to_json(const AudienceRules& r) { return rules_object(r).dump(); }

AudienceRules rules_from_json(std::string_view text, std::string_view field) {
  const json j = json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded()) throw ValidationError(std::string(field), "is not valid JSON");
  return rules_of(j, std::string(field));
}

std::string audience_to_json(const Audience& a) {
  json j{{"id", a.id},
         {"organizationId", a.organization_id},
         {"name", a.name},
         {"description", a.description},
         {"rules", rules_object(a.rules)},
         {"size", a.size ? json(*a.size) : json(nullptr)},
         {"computedAt", a.computed_at ? json(*a.computed_at) : json(nullptr)},
         {"createdAt", a.created_at},
         {"updatedAt", a.updated_at}};
  return j.dump();
}

AudienceDraft audience_draft_from_json(std::string_view body) {
  const json j = parse_object(body);
  AudienceDraft d;
  bool has_name = false;
  for (const auto& [key, v] : j.items()) {
    if (key == "organizationId") {
      d.organization_id = get_id(v, "organizationId");
    } else if (key == "name") {
      d.name = get_string(v, "name");
      has_name = true;
    } else if (key == "description") {
      d.description = v.is_null() ? "" : get_string(v, "description");
    } else if (key == "rules") {
      d.rules = rules_of(v, "rules");
    } else {
      throw ValidationError(key, "is not an audience field");
    }
  }
  if (!has_name) throw ValidationError("name", "is required");
  return d;
}

}  // namespace promptsales::ads
