// Audience rules: normalisation, validation naming the field, JSON both ways.

#include <catch2/catch.hpp>

#include "promptsales/ads/audience.hpp"
#include "promptsales/common/errors.hpp"

using namespace promptsales;
using namespace promptsales::ads;

namespace {

std::string field_of_error(const AudienceRules& r) {
  try {
    validate_rules(r);
  } catch (const ValidationError& e) {
    return e.field();
  }
  return "";
}

}  // namespace

TEST_CASE("audience rules are normalised so equal sets compare equal", "[ads][audience]") {
  AudienceRules a;
  a.countries = {" mx", "ES", "es"};
  a.interests = {"Running", "yoga ", "running"};
  a.statuses = {"Qualified"};
  a.sources = {"WEB"};
  const auto r = validate_rules(a);
  CHECK(r.countries == std::vector<std::string>{"ES", "MX"});
  CHECK(r.interests == std::vector<std::string>{"running", "yoga"});
  CHECK(r.statuses == std::vector<std::string>{"qualified"});
  CHECK(r.sources == std::vector<std::string>{"web"});
  // Non-ASCII letters are kept as written (no locale-dependent folding).
  AudienceRules b;
  b.interests = {"Música"};
  CHECK(validate_rules(b).interests == std::vector<std::string>{"música"});
}

TEST_CASE("bad audience rules name the rule", "[ads][audience]") {
  AudienceRules r;
  r.countries = {"ESP"};
  CHECK(field_of_error(r) == "rules.countries");
  r = {};
  r.countries = {"E1"};
  CHECK(field_of_error(r) == "rules.countries");
  r = {};
  r.interests = {"  "};
  CHECK(field_of_error(r) == "rules.interests");
  r = {};
  r.interests = {std::string(61, 'x')};
  CHECK(field_of_error(r) == "rules.interests");
  r = {};
  r.interests = {"\xff\xfe"};
  CHECK(field_of_error(r) == "rules.interests");
  r = {};
  r.sources.assign(101, "web");
  CHECK(field_of_error(r) == "rules.sources");
  r = {};
  r.min_age = 40;
  r.max_age = 30;
  CHECK(field_of_error(r) == "rules.minAge");
  r = {};
  r.max_age = 131;
  CHECK(field_of_error(r) == "rules.maxAge");
  r = {};
  r.min_score = -1;
  CHECK(field_of_error(r) == "rules.minScore");
  r = {};
  r.max_score = 101;
  CHECK(field_of_error(r) == "rules.maxScore");
  CHECK(field_of_error(AudienceRules{}).empty());  // no rules: every lead
}

TEST_CASE("audience drafts need an organization and a name of sane length", "[ads][audience]") {
  AudienceDraft d;
  d.organization_id = 3;
  d.name = "  Runners in Spain ";
  CHECK(validate_draft(d).name == "Runners in Spain");
  d.name = "";
  CHECK_THROWS_AS(validate_draft(d), ValidationError);
  d.name = std::string(81, 'n');
  CHECK_THROWS_AS(validate_draft(d), ValidationError);
  d.name = "ok";
  d.organization_id = 0;
  CHECK_THROWS_AS(validate_draft(d), ValidationError);
  d.organization_id = 1;
  d.description = std::string(301, 'd');
  CHECK_THROWS_AS(validate_draft(d), ValidationError);
}

TEST_CASE("audience rules round-trip through JSON", "[ads][audience]") {
  AudienceRules r;
  r.countries = {"ES", "MX"};
  r.interests = {"running"};
  r.min_age = 18;
  r.max_age = 65;
  r.min_score = 40;
  r.statuses = {"new", "qualified"};
  r.sources = {"web"};
  CHECK(rules_from_json(rules_to_json(r)) == r);
  CHECK(rules_to_json(AudienceRules{}) == "{}");
}

TEST_CASE("malformed audience JSON names the field", "[ads][audience]") {
  auto field_of = [](std::string_view body) -> std::string {
    try {
      audience_draft_from_json(body);
    } catch (const ValidationError& e) {
      return e.field();
    }
    return "";
  };
  CHECK(field_of("[]") == "body");
  CHECK(field_of("{") == "body");
  CHECK(field_of(R"({"organizationId":1})") == "name");
  CHECK(field_of(R"({"name":"a","rules":{"minAge":"18"}})") == "rules.minAge");
  CHECK(field_of(R"({"name":"a","rules":{"countries":"ES"}})") == "rules.countries");
  CHECK(field_of(R"({"name":"a","rules":{"favouriteColour":["red"]}})") == "rules.favouriteColour");
  CHECK(field_of(R"({"name":"a","rules":[]})") == "rules");
  CHECK(field_of(R"({"name":"a","owner":"x"})") == "owner");
  CHECK(field_of(R"({"name":"a","organizationId":2,"rules":{"countries":["ES"],"minScore":10}})").empty());
}
