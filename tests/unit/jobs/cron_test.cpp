// Cron expressions: parsing (fields, ranges, steps, lists, names, aliases),
// refusals that name the field, and next-fire computation in UTC.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include "promptsales/common/errors.hpp"
#include "promptsales/common/jobs/cron.hpp"
#include "promptsales/common/time.hpp"

using promptsales::ValidationError;
using promptsales::jobs::CronExpression;
using Clock = std::chrono::system_clock;

namespace {

Clock::time_point at(const std::string& iso) {
  const auto normalized = promptsales::normalize_iso8601(iso);
  REQUIRE(normalized);
  return Clock::time_point(std::chrono::seconds(promptsales::iso8601_to_unix(*normalized)));
}

std::string iso(Clock::time_point t) {
  return promptsales::format_iso8601_utc(std::chrono::floor<std::chrono::seconds>(t.time_since_epoch()).count(), 0);
}

std::string next(const std::string& cron, const std::string& after) {
  return iso(CronExpression::parse(cron).next_after(at(after)));
}

std::string parse_error(const std::string& cron) {
  try {
    CronExpression::parse(cron);
  } catch (const ValidationError& e) {
    return e.what();
  }
  return "(accepted)";
}

}  // namespace

TEST_CASE("cron: every minute fires at the next whole minute, strictly after", "[cron]") {
  CHECK(next("* * * * *", "2026-03-01T10:00:00Z") == "2026-03-01T10:01:00.000Z");
  CHECK(next("* * * * *", "2026-03-01T10:00:59Z") == "2026-03-01T10:01:00.000Z");
  CHECK(next("* * * * *", "2026-12-31T23:59:30Z") == "2027-01-01T00:00:00.000Z");
}

TEST_CASE("cron: fixed times roll over to the next day, month and year", "[cron]") {
  CHECK(next("0 4 * * *", "2026-03-01T03:59:00Z") == "2026-03-01T04:00:00.000Z");
  CHECK(next("0 4 * * *", "2026-03-01T04:00:00Z") == "2026-03-02T04:00:00.000Z");
  CHECK(next("30 23 31 12 *", "2026-06-01T00:00:00Z") == "2026-12-31T23:30:00.000Z");
  CHECK(next("0 0 1 1 *", "2026-01-01T00:00:00Z") == "2027-01-01T00:00:00.000Z");
}

TEST_CASE("cron: steps, ranges and lists", "[cron]") {
  CHECK(next("*/5 * * * *", "2026-03-01T10:07:00Z") == "2026-03-01T10:10:00.000Z");
  CHECK(next("*/15 * * * *", "2026-03-01T10:45:00Z") == "2026-03-01T11:00:00.000Z");
  CHECK(next("10-20/5 * * * *", "2026-03-01T10:16:00Z") == "2026-03-01T10:20:00.000Z");
  CHECK(next("10-20/5 * * * *", "2026-03-01T10:20:00Z") == "2026-03-01T11:10:00.000Z");
  CHECK(next("5/20 * * * *", "2026-03-01T10:26:00Z") == "2026-03-01T10:45:00.000Z");
  CHECK(next("0 8,12,18 * * *", "2026-03-01T12:00:00Z") == "2026-03-01T18:00:00.000Z");
  CHECK(next("0 9-17 * * *", "2026-03-01T17:30:00Z") == "2026-03-02T09:00:00.000Z");
  CHECK(next("1,2,5-7 0 * * *", "2026-03-01T00:02:00Z") == "2026-03-01T00:05:00.000Z");
}

TEST_CASE("cron: day-of-week names, 0 and 7 are Sunday", "[cron]") {
  // 2026-03-01 is a Sunday.
  CHECK(next("0 9 * * MON", "2026-03-01T00:00:00Z") == "2026-03-02T09:00:00.000Z");
  CHECK(next("0 9 * * mon-fri", "2026-03-06T10:00:00Z") == "2026-03-09T09:00:00.000Z");
  CHECK(next("0 9 * * 0", "2026-03-01T10:00:00Z") == "2026-03-08T09:00:00.000Z");
  CHECK(next("0 9 * * 7", "2026-03-01T10:00:00Z") == "2026-03-08T09:00:00.000Z");
  CHECK(next("0 9 * * SAT,SUN", "2026-03-02T00:00:00Z") == "2026-03-07T09:00:00.000Z");
}

TEST_CASE("cron: month names and month lengths", "[cron]") {
  CHECK(next("0 0 1 JAN,JUL *", "2026-02-01T00:00:00Z") == "2026-07-01T00:00:00.000Z");
  CHECK(next("0 0 31 * *", "2026-04-01T00:00:00Z") == "2026-05-31T00:00:00.000Z");
  // 29 February: the next leap year.
  CHECK(next("0 0 29 2 *", "2026-01-01T00:00:00Z") == "2028-02-29T00:00:00.000Z");
}

TEST_CASE("cron: day-of-month and day-of-week both restricted fire on either", "[cron]") {
  // The 13th, or any Friday: from Sunday 2026-03-01, Friday 6 March comes first.
  CHECK(next("0 0 13 * FRI", "2026-03-01T00:00:00Z") == "2026-03-06T00:00:00.000Z");
  CHECK(next("0 0 13 * FRI", "2026-03-10T00:00:00Z") == "2026-03-13T00:00:00.000Z");
  // One of them '*': both must match (i.e. only the other counts).
  CHECK(next("0 0 * * FRI", "2026-03-10T00:00:00Z") == "2026-03-13T00:00:00.000Z");
  CHECK(next("0 0 */10 * *", "2026-03-02T00:00:00Z") == "2026-03-11T00:00:00.000Z");
}

TEST_CASE("cron: aliases", "[cron]") {
  CHECK(next("@hourly", "2026-03-01T10:20:00Z") == "2026-03-01T11:00:00.000Z");
  CHECK(next("@daily", "2026-03-01T10:20:00Z") == "2026-03-02T00:00:00.000Z");
  CHECK(next("@midnight", "2026-03-01T10:20:00Z") == "2026-03-02T00:00:00.000Z");
  CHECK(next("@weekly", "2026-03-02T10:20:00Z") == "2026-03-08T00:00:00.000Z");
  CHECK(next("@monthly", "2026-03-02T10:20:00Z") == "2026-04-01T00:00:00.000Z");
  CHECK(next("@yearly", "2026-03-02T10:20:00Z") == "2027-01-01T00:00:00.000Z");
  CHECK(next("@annually", "2026-03-02T10:20:00Z") == "2027-01-01T00:00:00.000Z");
}

TEST_CASE("cron: matches() agrees with next_after()", "[cron]") {
  const auto cron = CronExpression::parse("*/7 3-5 * JAN-MAR MON,WED");
  auto t = at("2026-01-01T00:00:00Z");
  for (int i = 0; i < 50; ++i) {
    t = cron.next_after(t);
    INFO(iso(t));
    CHECK(cron.matches(t));
    CHECK_FALSE(cron.matches(t - std::chrono::minutes(1)));
  }
}

TEST_CASE("cron: malformed expressions name the field and the problem", "[cron]") {
  CHECK_THAT(parse_error("* * * *"), Catch::Contains("4 fields; expected 5"));
  CHECK_THAT(parse_error("* * * * * *"), Catch::Contains("6 fields"));
  CHECK_THAT(parse_error(""), Catch::Contains("empty"));
  CHECK_THAT(parse_error("60 * * * *"), Catch::StartsWith("minute:") && Catch::Contains("out of range 0-59"));
  CHECK_THAT(parse_error("* 24 * * *"), Catch::StartsWith("hour:"));
  CHECK_THAT(parse_error("* * 0 * *"), Catch::StartsWith("day-of-month:"));
  CHECK_THAT(parse_error("* * 32 * *"), Catch::StartsWith("day-of-month:"));
  CHECK_THAT(parse_error("* * * 13 *"), Catch::StartsWith("month:"));
  CHECK_THAT(parse_error("* * * FOO *"), Catch::StartsWith("month:") && Catch::Contains("unknown name 'FOO'"));
  CHECK_THAT(parse_error("* * * * 8"), Catch::StartsWith("day-of-week:"));
  CHECK_THAT(parse_error("* * * * MON-"), Catch::StartsWith("day-of-week:"));
  CHECK_THAT(parse_error("*/0 * * * *"), Catch::StartsWith("minute:") && Catch::Contains("step"));
  CHECK_THAT(parse_error("*/x * * * *"), Catch::StartsWith("minute:") && Catch::Contains("step"));
  CHECK_THAT(parse_error("30-10 * * * *"), Catch::StartsWith("minute:") && Catch::Contains("backwards"));
  CHECK_THAT(parse_error("1,,2 * * * *"), Catch::StartsWith("minute:") && Catch::Contains("empty"));
  CHECK_THAT(parse_error("JAN * * * *"), Catch::StartsWith("minute:") && Catch::Contains("numeric"));
  CHECK_THAT(parse_error("1.5 * * * *"), Catch::StartsWith("minute:"));
  CHECK_THAT(parse_error("@often"), Catch::Contains("unknown alias '@often'"));
  CHECK_THAT(parse_error("0 0 30 2 *"), Catch::Contains("never fires"));
  CHECK_THAT(parse_error("0 0 31 4,6,9,11 *"), Catch::Contains("never fires"));
}

TEST_CASE("cron: surrounding and repeated blanks are accepted", "[cron]") {
  CHECK(next("  0   4 *\t* *  ", "2026-03-01T00:00:00Z") == "2026-03-01T04:00:00.000Z");
  CHECK(CronExpression::parse(" @daily ").text() == "@daily");
}
