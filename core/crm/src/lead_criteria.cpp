#include "promptsales/crm/lead_criteria.hpp"

#include "promptsales/common/db/text_array.hpp"

namespace promptsales::crm {
namespace {

class Builder {
 public:
  explicit Builder(std::int64_t organization_id) {
    out_.where = "organization_id = $1::bigint AND forgotten_at IS NULL";
    out_.params.push_back(std::to_string(organization_id));
  }
  /// Appends " AND <before>$n<after>" with `value` as parameter n.
  void add(const std::string& before, std::string value, const char* after) {
    out_.params.push_back(std::move(value));
    out_.where += " AND ";
    out_.where += before;
    out_.where += "$" + std::to_string(out_.params.size());
    out_.where += after;
  }
  LeadPredicate done() { return std::move(out_); }

 private:
  LeadPredicate out_;
};

// A birth date wins over a stated age (which goes stale); leads with
// neither never match an age rule.
constexpr const char* kAge = "COALESCE(date_part('year', age(current_date, birth_date))::int, age::int)";

}  // namespace

LeadPredicate lead_predicate(std::int64_t organization_id, const LeadCriteria& c) {
  Builder b(organization_id);
  if (!c.countries.empty()) b.add("country = ANY(", db::to_text_array(c.countries), "::text[])");
  if (!c.interests.empty()) b.add("interests && ", db::to_text_array(c.interests), "::text[]");
  const std::string age = kAge;
  if (c.min_age) b.add(age + " >= ", std::to_string(*c.min_age), "::int");
  if (c.max_age) b.add(age + " <= ", std::to_string(*c.max_age), "::int");
  if (c.min_score) b.add("score >= ", std::to_string(*c.min_score), "::int");
  if (c.max_score) b.add("score <= ", std::to_string(*c.max_score), "::int");
  if (!c.statuses.empty()) {
    std::vector<std::string> names;
    for (const auto s : c.statuses) names.emplace_back(to_string(s));
    b.add("status = ANY(", db::to_text_array(names), "::text[])");
  }
  if (!c.sources.empty()) b.add("source = ANY(", db::to_text_array(c.sources), "::text[])");
  return b.done();
}

}  // namespace promptsales::crm
