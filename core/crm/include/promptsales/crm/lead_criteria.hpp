#pragma once
/// Which leads of an organization match a set of profile criteria: the CRM
/// side of an audience. One definition, compiled to one parameterised SQL
/// predicate, serves both the estimate (a count) and segmentation (the
/// materialised membership), so the two can never disagree.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "promptsales/crm/lead.hpp"

namespace promptsales::crm {

/// Every set field narrows (AND); within a list any value matches (OR).
/// Values are expected normalised (upper-case countries, lower-case
/// interests and sources), as ads::validate_rules leaves them.
struct LeadCriteria {
  std::vector<std::string> countries;
  std::vector<std::string> interests;  ///< the lead has at least one of them
  std::optional<int> min_age;          ///< age from birth_date, else the stated age
  std::optional<int> max_age;
  std::optional<int> min_score;
  std::optional<int> max_score;
  std::vector<LeadStatus> statuses;
  std::vector<std::string> sources;
};

/// A WHERE clause over `leads` and its parameters ($1 is the organization).
/// Values only ever travel as parameters; the clause text depends only on
/// which criteria are set.
struct LeadPredicate {
  std::string where;
  std::vector<std::string> params;
};

LeadPredicate lead_predicate(std::int64_t organization_id, const LeadCriteria& c);

}  // namespace promptsales::crm
