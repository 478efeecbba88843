#include <algorithm>
#include <cctype>
#include <set>

#include "promptsales/ads/audience.hpp"
#include "promptsales/common/errors.hpp"
#include "promptsales/common/utf8.hpp"

namespace promptsales::ads {
namespace {

std::string trimmed(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

/// Trimmed, case-folded with `fold`, unique and sorted, so equal rule sets
/// compare (and cache) equal whatever order they were written in.
std::vector<std::string> value_list(std::vector<std::string> values, const std::string& field, int (*fold)(int)) {
  if (values.size() > kMaxRuleValues)
    throw ValidationError(field, "at most " + std::to_string(kMaxRuleValues) + " values");
  std::set<std::string> out;
  for (auto& v : values) {
    std::string t = trimmed(v);
    const auto chars = utf8_length(t);
    if (!chars) throw ValidationError(field, "values must be valid UTF-8");
    if (*chars == 0) throw ValidationError(field, "values must not be empty");
    if (*chars > kMaxRuleValueChars)
      throw ValidationError(field, "values are at most " + std::to_string(kMaxRuleValueChars) + " characters");
    std::transform(t.begin(), t.end(), t.begin(), [fold](unsigned char c) {
      return c < 0x80 ? static_cast<char>(fold(c)) : static_cast<char>(c);
    });
    out.insert(std::move(t));
  }
  return {out.begin(), out.end()};
}

void range(const std::optional<int>& low, const std::optional<int>& high, int min, int max,
           const std::string& low_field, const std::string& high_field) {
  for (const auto& [value, field] : {std::pair{low, low_field}, std::pair{high, high_field}}) {
    if (value && (*value < min || *value > max))
      throw ValidationError(field, "must be between " + std::to_string(min) + " and " + std::to_string(max));
  }
  if (low && high && *low > *high) throw ValidationError(low_field, "must not be greater than " + high_field);
}

}  // namespace

AudienceRules validate_rules(AudienceRules r) {
  r.countries = value_list(std::move(r.countries), "rules.countries", ::toupper);
  for (const auto& c : r.countries) {
    if (c.size() != 2 || !std::isupper(static_cast<unsigned char>(c[0])) ||
        !std::isupper(static_cast<unsigned char>(c[1])))
      throw ValidationError("rules.countries", "'" + c + "' is not an ISO 3166-1 alpha-2 code such as ES or MX");
  }
  r.interests = value_list(std::move(r.interests), "rules.interests", ::tolower);
  r.statuses = value_list(std::move(r.statuses), "rules.statuses", ::tolower);
  r.sources = value_list(std::move(r.sources), "rules.sources", ::tolower);
  range(r.min_age, r.max_age, 0, 130, "rules.minAge", "rules.maxAge");
  range(r.min_score, r.max_score, 0, 100, "rules.minScore", "rules.maxScore");
  return r;
}

AudienceDraft validate_draft(AudienceDraft d) {
  if (d.organization_id <= 0) throw ValidationError("organizationId", "must be a positive integer");
  d.name = trimmed(d.name);
  const auto name_chars = utf8_length(d.name);
  if (!name_chars) throw ValidationError("name", "must be valid UTF-8");
  if (*name_chars == 0) throw ValidationError("name", "must not be empty");
  if (*name_chars > kMaxAudienceNameChars)
    throw ValidationError("name", "is at most " + std::to_string(kMaxAudienceNameChars) + " characters");
  const auto description_chars = utf8_length(d.description);
  if (!description_chars) throw ValidationError("description", "must be valid UTF-8");
  if (*description_chars > kMaxAudienceDescriptionChars)
    throw ValidationError("description",
                          "is at most " + std::to_string(kMaxAudienceDescriptionChars) + " characters");
  d.rules = validate_rules(std::move(d.rules));
  return d;
}

}  // namespace promptsales::ads
