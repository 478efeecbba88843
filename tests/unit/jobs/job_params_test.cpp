// A job's parameters: unknown names, malformed and out-of-range values are
// refused with the parameter's name; defaults apply; queue JSON converts.
#include <catch2/catch.hpp>

#include "promptsales/common/errors.hpp"
#include "promptsales/common/jobs/job_params.hpp"

using namespace promptsales::jobs;
using promptsales::ValidationError;

namespace {

const std::vector<ParamSpec> kSpecs = {
    {"days", ParamKind::integer, "retention", std::nullopt, 1, 36500},
    {"dry-run", ParamKind::boolean, "count only", "false", 0, 0},
    {"batch-size", ParamKind::integer, "rows per transaction", "5000", 1, 100000},
    {"label", ParamKind::text, "free text", std::nullopt, 0, 0},
};

std::string error_of(const std::map<std::string, std::string>& raw) {
  try {
    validate_params("audit-purge", kSpecs, raw);
  } catch (const ValidationError& e) {
    return e.field() + " | " + e.what();
  }
  return "(accepted)";
}

}  // namespace

TEST_CASE("params: valid values are normalized and defaults applied", "[params]") {
  const auto p = validate_params("audit-purge", kSpecs, {{"days", "30"}, {"dry-run", "YES"}});
  CHECK(p.integer("days") == 30);
  CHECK(p.boolean("dry-run"));
  CHECK(p.text("dry-run") == "true");
  CHECK(p.integer("batch-size") == 5000);
  CHECK_FALSE(p.has("label"));
  CHECK(p.to_json() == nlohmann::json{{"days", "30"}, {"dry-run", "true"}, {"batch-size", "5000"}});
  const auto q = validate_params("audit-purge", kSpecs, {});
  CHECK_FALSE(q.integer("days"));
  CHECK_FALSE(q.boolean("dry-run"));
}

TEST_CASE("params: refusals name the parameter and the job", "[params]") {
  CHECK_THAT(error_of({{"dayz", "3"}}),
             Catch::StartsWith("param dayz |") && Catch::Contains("does not accept it") &&
                 Catch::Contains("accepted: days, dry-run, batch-size, label"));
  CHECK_THAT(error_of({{"days", "three"}}), Catch::StartsWith("param days |") && Catch::Contains("not an integer"));
  CHECK_THAT(error_of({{"days", "0"}}), Catch::StartsWith("param days |") && Catch::Contains("must be 1-36500"));
  CHECK_THAT(error_of({{"days", "36501"}}), Catch::Contains("must be 1-36500"));
  CHECK_THAT(error_of({{"days", "3x"}}), Catch::Contains("not an integer"));
  CHECK_THAT(error_of({{"days", ""}}), Catch::Contains("not an integer"));
  CHECK_THAT(error_of({{"days", "99999999999999999999"}}), Catch::Contains("not an integer"));
  CHECK_THAT(error_of({{"dry-run", "maybe"}}),
             Catch::StartsWith("param dry-run |") && Catch::Contains("not true or false"));
  CHECK_THAT(error_of({{"label", std::string(1001, 'x')}}), Catch::Contains("longer than 1000"));
}

TEST_CASE("params: a job without parameters refuses any", "[params]") {
  try {
    validate_params("probe", {}, {{"x", "1"}});
    FAIL("accepted");
  } catch (const ValidationError& e) {
    CHECK_THAT(e.what(), Catch::Contains("accepted: none"));
  }
}

TEST_CASE("params: key=value assignments", "[params]") {
  CHECK(parse_param_assignment("days=3") == std::pair<std::string, std::string>{"days", "3"});
  CHECK(parse_param_assignment("label=a=b") == std::pair<std::string, std::string>{"label", "a=b"});
  CHECK(parse_param_assignment("label=") == std::pair<std::string, std::string>{"label", ""});
  CHECK_THROWS_AS(parse_param_assignment("days"), ValidationError);
  CHECK_THROWS_AS(parse_param_assignment("=3"), ValidationError);
}

TEST_CASE("params: queue JSON becomes text", "[params]") {
  const auto m = params_from_json({{"days", 3}, {"dry-run", true}, {"label", "x"}});
  CHECK(m.at("days") == "3");
  CHECK(m.at("dry-run") == "true");
  CHECK(m.at("label") == "x");
  CHECK(params_from_json(nullptr).empty());
  CHECK_THROWS_AS(params_from_json(nlohmann::json::array()), ValidationError);
  CHECK_THROWS_AS(params_from_json({{"x", {1, 2}}}), ValidationError);
}
