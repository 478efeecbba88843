#pragma once
/// Audiences: named sets of leads an organization targets, defined by rules
/// over the leads' profile. The definition lives here, in the ads context;
/// which leads match is the CRM's business (crm::LeadCriteria), and the
/// sales layer connects the two (estimate, segmentation). No I/O here.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace promptsales::ads {

/// Every set field narrows the audience (AND); within a list, any value
/// matches (OR). An empty rule set matches every lead of the organization.
struct AudienceRules {
  std::vector<std::string> countries;  ///< ISO 3166-1 alpha-2, upper case
  std::vector<std::string> interests;  ///< lower case; a lead with any of them matches
  std::optional<int> min_age;          ///< from the birth date, else the stated age
  std::optional<int> max_age;
  std::optional<int> min_score;        ///< 0..100
  std::optional<int> max_score;
  std::vector<std::string> statuses;   ///< lead statuses ("new", "qualified", ...)
  std::vector<std::string> sources;    ///< lower case ("web", "facebook", ...)

  bool operator==(const AudienceRules&) const = default;
};

struct Audience {
  std::int64_t id = 0;
  std::int64_t organization_id = 0;
  std::string name;
  std::string description;
  AudienceRules rules;
  std::optional<std::int64_t> size;          ///< members at the last segmentation
  std::optional<std::string> computed_at;    ///< when that was (ISO-8601 UTC)
  std::string created_at;
  std::string updated_at;
};

struct AudienceDraft {
  std::int64_t organization_id = 0;
  std::string name;
  std::string description;
  AudienceRules rules;
};

/// One point of an audience's size history.
struct AudienceSize {
  std::string computed_at;
  std::int64_t size = 0;
};

inline constexpr std::size_t kMaxAudienceNameChars = 80;
inline constexpr std::size_t kMaxAudienceDescriptionChars = 300;
inline constexpr std::size_t kMaxRuleValues = 100;  ///< per list
inline constexpr std::size_t kMaxRuleValueChars = 60;

/// Normalises and checks a rule set; throws ValidationError naming the field
/// ("rules.countries", "rules.minAge", ...). Status names are checked by the
/// caller that knows the lead lifecycle (sales), shape only here.
AudienceRules validate_rules(AudienceRules rules);
/// Name, description and rules.
AudienceDraft validate_draft(AudienceDraft draft);

/// camelCase JSON, both ways. Parsing throws ValidationError for malformed
/// JSON, unknown fields and wrong types, naming the field.
std::string rules_to_json(const AudienceRules& r);
AudienceRules rules_from_json(std::string_view json, std::string_view field = "rules");
std::string audience_to_json(const Audience& a);
AudienceDraft audience_draft_from_json(std::string_view body);

}  // namespace promptsales::ads
