// Lead criteria compile to one parameterised predicate.

#include <catch2/catch.hpp>

#include "promptsales/crm/lead_criteria.hpp"

using namespace promptsales::crm;

TEST_CASE("no criteria select every live lead of the organization", "[crm][segments]") {
  const auto p = lead_predicate(7, {});
  CHECK(p.where == "organization_id = $1::bigint AND forgotten_at IS NULL");
  CHECK(p.params == std::vector<std::string>{"7"});
}

TEST_CASE("each criterion adds one clause and one parameter", "[crm][segments]") {
  LeadCriteria c;
  c.countries = {"ES", "MX"};
  c.interests = {"running"};
  c.min_age = 18;
  c.max_age = 65;
  c.min_score = 40;
  c.max_score = 90;
  c.statuses = {LeadStatus::new_, LeadStatus::qualified};
  c.sources = {"web"};
  const auto p = lead_predicate(3, c);
  CHECK(p.params == std::vector<std::string>{"3", R"({"ES","MX"})", R"({"running"})", "18", "65", "40", "90",
                                             R"({"new","qualified"})", R"({"web"})"});
  CHECK(p.where.find("$9") != std::string::npos);
  CHECK(p.where.find("$10") == std::string::npos);
}

TEST_CASE("criteria values never reach the SQL text", "[crm][segments][security]") {
  LeadCriteria c;
  const std::string hostile = "x'); DROP TABLE leads; --";
  c.countries = {hostile};
  c.interests = {hostile};
  c.sources = {hostile};
  const auto p = lead_predicate(1, c);
  CHECK(p.where.find("DROP") == std::string::npos);
  CHECK(p.where.find('\'') == p.where.find("'year'"));  // the only quote is the date_part field
  REQUIRE(p.params.size() == 4);
  CHECK(p.params[1].find(hostile.substr(0, 3)) != std::string::npos);
}
