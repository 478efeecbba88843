// ISO-8601 parsing/normalisation and PostgreSQL timestamp conversion.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <ctime>
#include <regex>
#include <string>

#include "promptsales/common/time.hpp"

using promptsales::iso8601_to_unix;
using promptsales::normalize_iso8601;
using promptsales::now_iso8601;
using promptsales::pg_timestamp_to_iso;

namespace {
const std::regex kNormalized(R"(^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$)");
}

TEST_CASE("normalize_iso8601: valid forms", "[time]") {
  struct Case {
    const char* in;
    const char* out;
  };
  const Case cases[] = {
      {"2026-03-01", "2026-03-01T00:00:00.000Z"},
      {"2026-03-01T10:00", "2026-03-01T10:00:00.000Z"},
      {"2026-03-01T10:00Z", "2026-03-01T10:00:00.000Z"},
      {"2026-03-01T10:00:00", "2026-03-01T10:00:00.000Z"},
      {"2026-03-01T10:00:00Z", "2026-03-01T10:00:00.000Z"},
      {"2026-03-01t10:00:00z", "2026-03-01T10:00:00.000Z"},
      {"2026-03-01 10:00:00Z", "2026-03-01T10:00:00.000Z"},
      {"2026-03-01T10:00:00.123Z", "2026-03-01T10:00:00.123Z"},
      {"2026-03-01T10:00:00,25Z", "2026-03-01T10:00:00.250Z"},
      {"2026-03-01T10:00:00.5Z", "2026-03-01T10:00:00.500Z"},
      {"2026-03-01T10:00:00.123456789Z", "2026-03-01T10:00:00.123Z"},  // truncated, not rounded
      {"2026-03-01T10:00:00.999999Z", "2026-03-01T10:00:00.999Z"},
      {"2026-03-01T10:00:00.123+02:00", "2026-03-01T08:00:00.123Z"},
      {"2026-03-01T10:00:00-05:30", "2026-03-01T15:30:00.000Z"},
      {"2026-03-01T10:00:00+0200", "2026-03-01T08:00:00.000Z"},
      {"2026-03-01T10:00+01:00", "2026-03-01T09:00:00.000Z"},
      {"2026-03-01T10:00:00+00:00", "2026-03-01T10:00:00.000Z"},
      {"2026-03-01T10:00:00-00:00", "2026-03-01T10:00:00.000Z"},
      // Offsets that cross a day, month and year boundary.
      {"2026-03-01T01:00:00+02:00", "2026-02-28T23:00:00.000Z"},
      {"2026-03-01T23:30:00-05:30", "2026-03-02T05:00:00.000Z"},
      {"2026-12-31T23:00:00-14:00", "2027-01-01T13:00:00.000Z"},
      {"2024-02-29T12:00:00Z", "2024-02-29T12:00:00.000Z"},  // leap year
      {"2000-02-29", "2000-02-29T00:00:00.000Z"},            // divisible by 400
      {"1970-01-01T00:00:00Z", "1970-01-01T00:00:00.000Z"},
      {"9999-12-31T23:59:59.999Z", "9999-12-31T23:59:59.999Z"},
      {"2026-01-31T23:59:59Z", "2026-01-31T23:59:59.000Z"},
  };
  for (const auto& c : cases) {
    INFO(c.in);
    const auto got = normalize_iso8601(c.in);
    REQUIRE(got.has_value());
    CHECK(*got == c.out);
    CHECK(std::regex_match(*got, kNormalized));
    // Normalised output is a fixed point.
    CHECK(normalize_iso8601(*got) == got);
  }
}

TEST_CASE("normalize_iso8601: invalid dates and times", "[time]") {
  const char* invalid[] = {
      // Calendar
      "2026-02-29", "2026-02-30", "1900-02-29", "2026-04-31", "2026-06-31", "2026-13-01", "2026-00-10", "2026-01-00",
      "2026-01-32", "1969-12-31",
      // Clock
      "2026-03-01T24:00:00Z", "2026-03-01T25:00", "2026-03-01T23:60:00Z", "2026-03-01T23:59:60Z",
      "2026-03-01T99:99",
      // Offsets
      "2026-03-01T10:00:00+15:00", "2026-03-01T10:00:00+02:60", "2026-03-01T10:00:00+2", "2026-03-01T10:00:00+02",
      "2026-03-01T10:00:00+02:0", "2026-03-01T10:00:00+02:00Z", "2026-03-01T10:00:00Z+02:00",
      // Shapes
      "", "hello", "2026", "2026-03", "2026-3-1", "2026/03/01", "20260301", "2026-03-01T", "2026-03-01T10",
      "2026-03-01T10:0", "2026-03-01T1:00", "2026-03-01T10:00:0", "2026-03-01T10:00:00.", "2026-03-01T10:00:00.Z",
      "2026-03-01T10:00:00.1234567890Z", "2026-03-01T10:00:00ZZ", "2026-03-01T10:00:00 ", " 2026-03-01",
      "2026-03-01x", "2026-03-01X10:00", "2026-03-01T10:00:00UTC", "2026-03-01T10:00:00.abcZ", "-2026-03-01",
      "2026-03-01T10:00.5", "２０２６-03-01", "2026-03-01T10:00:00\n",
  };
  for (const char* s : invalid) {
    INFO("input: '" << s << "'");
    CHECK_FALSE(normalize_iso8601(s).has_value());
  }
}

TEST_CASE("normalize_iso8601: output is always a valid, re-parsable timestamp", "[time]") {
  // Offsets can move an instant across the accepted year range; the result
  // must still be a normalized timestamp (or the input refused), never a
  // five-digit or pre-1970 year that nothing else can read back.
  for (const char* edge : {"9999-12-31T23:00:00-05:00", "9999-12-31T23:59:59.999-14:00", "1970-01-01T00:30:00+01:00",
                           "1970-01-01T00:00:00+14:00", "1970-01-01", "9999-12-31T23:59:59Z"}) {
    INFO(edge);
    const auto got = normalize_iso8601(edge);
    if (got) {
      CHECK(std::regex_match(*got, kNormalized));
      CHECK(normalize_iso8601(*got) == got);
    }
  }
}

TEST_CASE("normalize_iso8601: string_view without a terminating NUL", "[time]") {
  const std::string text = "2026-03-01T10:00:00Zgarbage";
  CHECK(normalize_iso8601(std::string_view(text).substr(0, 20)) == "2026-03-01T10:00:00.000Z");
  CHECK(normalize_iso8601(std::string_view(text).substr(0, 10)) == "2026-03-01T00:00:00.000Z");
  CHECK_FALSE(normalize_iso8601(std::string_view(text).substr(0, 9)).has_value());
}

TEST_CASE("pg_timestamp_to_iso", "[time]") {
  CHECK(pg_timestamp_to_iso("2026-03-01 10:00:00.123456+00") == "2026-03-01T10:00:00.123Z");
  CHECK(pg_timestamp_to_iso("2026-03-01 10:00:00+00") == "2026-03-01T10:00:00.000Z");
  CHECK(pg_timestamp_to_iso("2026-03-01 10:00:00.5+00") == "2026-03-01T10:00:00.500Z");
  CHECK(pg_timestamp_to_iso("2026-03-01 10:00:00.12+00") == "2026-03-01T10:00:00.120Z");
  CHECK(pg_timestamp_to_iso("2026-03-01 10:00:00.999999+00") == "2026-03-01T10:00:00.999Z");
  CHECK(pg_timestamp_to_iso("1999-12-31 23:59:59.000001+00") == "1999-12-31T23:59:59.000Z");
  for (const char* pg : {"2026-03-01 10:00:00.123456+00", "2025-07-15 00:00:00+00"}) {
    const auto iso = pg_timestamp_to_iso(pg);
    CHECK(std::regex_match(iso, kNormalized));
    CHECK(normalize_iso8601(iso) == iso);
  }
}

TEST_CASE("iso8601_to_unix and now_iso8601", "[time]") {
  CHECK(iso8601_to_unix("1970-01-01T00:00:00.000Z") == 0);
  CHECK(iso8601_to_unix("2026-01-01T00:00:00.000Z") == 1767225600);
  CHECK(iso8601_to_unix(*normalize_iso8601("2026-01-01T02:00:00+02:00")) == 1767225600);
  CHECK(iso8601_to_unix("2024-02-29T12:34:56.789Z") == 1709210096);

  const auto now = now_iso8601();
  CHECK(std::regex_match(now, kNormalized));
  CHECK(normalize_iso8601(now) == now);
  const auto unix_now = static_cast<long long>(std::time(nullptr));
  CHECK(std::llabs(iso8601_to_unix(now) - unix_now) <= 2);
}
