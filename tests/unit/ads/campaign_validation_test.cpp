// Field rules of campaigns: each error names its field (ValidationError::field()).
#include <catch2/catch.hpp>

#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "promptsales/ads/campaign.hpp"
#include "promptsales/ads/campaign_validation.hpp"
#include "promptsales/common/errors.hpp"

namespace validate = promptsales::ads::validate;
using promptsales::ValidationError;
using promptsales::ads::CampaignFilter;
using promptsales::ads::CampaignStatus;

namespace {

/// Runs `fn`, expects a ValidationError, returns it (field and message).
ValidationError invalid(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const ValidationError& e) {
    return e;
  }
  FAIL("expected a ValidationError");
  throw;  // unreachable
}

std::string repeat(const std::string& s, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += s;
  return out;
}

}  // namespace

TEST_CASE("validate: organizationId", "[ads][validation]") {
  CHECK(validate::organization_id(1) == 1);
  CHECK(validate::organization_id(9'000'000'000LL) == 9'000'000'000LL);
  for (std::int64_t bad : std::vector<std::int64_t>{0, -1, std::numeric_limits<std::int64_t>::min()}) {
    const auto e = invalid([&] { validate::organization_id(bad); });
    CHECK(e.field() == "organizationId");
    CHECK_THAT(e.what(), Catch::StartsWith("organizationId: "));
  }
}

TEST_CASE("validate: name", "[ads][validation]") {
  CHECK(validate::name("Summer Sale") == "Summer Sale");
  CHECK(validate::name("  Summer Sale \t") == "Summer Sale");  // trimmed

  SECTION("required") {
    for (const char* empty : {"", "   ", "\t\n "}) {
      const auto e = invalid([&] { validate::name(empty); });
      CHECK(e.field() == "name");
      CHECK_THAT(e.what(), Catch::Contains("required"));
    }
  }
  SECTION("60 characters allowed, 61 refused, counted in characters not bytes") {
    for (const std::string unit : {"a", "é", "日", "😀"}) {
      INFO("unit " << unit);
      const auto ok = repeat(unit, 60);
      CHECK(validate::name(ok) == ok);
      const auto e = invalid([&] { validate::name(repeat(unit, 61)); });
      CHECK(e.field() == "name");
      CHECK_THAT(e.what(), Catch::Contains("61 characters"));
      CHECK_THAT(e.what(), Catch::Contains("60"));
    }
    // Mixed widths: 59 ASCII + one 4-byte emoji = 60 characters (63 bytes).
    CHECK_NOTHROW(validate::name(repeat("a", 59) + "😀"));
    CHECK_THROWS_AS(validate::name(repeat("a", 60) + "😀"), ValidationError);
  }
  SECTION("surrounding blanks do not count toward the limit") {
    CHECK(validate::name("  " + repeat("é", 60) + "  ") == repeat("é", 60));
  }
  SECTION("control characters refused, including newlines and tabs inside") {
    for (const std::string bad : {"a\nb", "a\tb", "a\rb", "a\x01z", "a\x7fz", "a\x1b[0m"}) {
      const auto e = invalid([&] { validate::name(bad); });
      CHECK(e.field() == "name");
      CHECK_THAT(e.what(), Catch::Contains("control"));
    }
  }
  SECTION("invalid UTF-8 refused") {
    for (const std::string& bad : std::vector<std::string>{"bad\xff", "\xC3", "\xC0\xAF", "\xED\xA0\x80", "\xE0\x80\xAF", "\xF4\x90\x80\x80",
                                  std::string("nul\0here", 8)}) {
      const auto e = invalid([&] { validate::name(bad); });
      CHECK(e.field() == "name");
    }
  }
}

TEST_CASE("validate: description", "[ads][validation]") {
  CHECK(validate::description("") == "");
  CHECK(validate::description("  trimmed  ") == "trimmed");
  CHECK(validate::description("line 1\nline 2\ttabbed") == "line 1\nline 2\ttabbed");

  SECTION("200 characters allowed, 201 refused, in characters") {
    for (const std::string unit : {"x", "ñ", "語", "🚀"}) {
      INFO("unit " << unit);
      const auto ok = repeat(unit, 200);
      CHECK(validate::description(ok) == ok);
      const auto e = invalid([&] { validate::description(repeat(unit, 201)); });
      CHECK(e.field() == "description");
      CHECK_THAT(e.what(), Catch::Contains("201 characters"));
    }
  }
  SECTION("other control characters refused") {
    for (const std::string bad : {"a\rb", "a\x01z", "a\x7fz", "a\x0bz"}) {
      CHECK(invalid([&] { validate::description(bad); }).field() == "description");
    }
  }
  SECTION("invalid UTF-8 refused") {
    CHECK(invalid([&] { validate::description("caf\xe9"); }).field() == "description");
  }
}

TEST_CASE("validate: budget normalisation", "[ads][validation]") {
  struct Case {
    const char* in;
    const char* out;
  };
  for (const auto& c : {Case{"0", "0.00"}, Case{"1500", "1500.00"}, Case{"1500.5", "1500.50"},
                        Case{"1500.50", "1500.50"}, Case{"1500.05", "1500.05"}, Case{"007.5", "7.50"},
                        Case{"000", "0.00"}, Case{"0.01", "0.01"}, Case{" 42 ", "42.00"},
                        Case{"999999999999.99", "999999999999.99"}, Case{"000000000000001", "1.00"}}) {
    INFO(c.in);
    CHECK(validate::budget(c.in) == c.out);
  }
  for (const char* bad : {"", " ", "-1", "+5", "1e3", "1,000", "12.", ".5", "1.2.3", "abc", "1 000", "0x10", "١٢"}) {
    INFO("'" << bad << "'");
    const auto e = invalid([&] { validate::budget(bad); });
    CHECK(e.field() == "budget");
  }
  CHECK_THAT(invalid([&] { validate::budget("1.234"); }).what(), Catch::Contains("two decimal places"));
  // numeric(14,2): at most 12 integer digits.
  CHECK(validate::budget("999999999999") == "999999999999.00");
  CHECK(invalid([&] { validate::budget("1000000000000"); }).field() == "budget");
}

TEST_CASE("validate: currency", "[ads][validation]") {
  CHECK(validate::currency("USD") == "USD");
  CHECK(validate::currency("eur") == "EUR");
  CHECK(validate::currency(" mXn ") == "MXN");
  for (const char* bad : {"", "US", "USDD", "U1D", "US$", "€", "U D"}) {
    INFO("'" << bad << "'");
    const auto e = invalid([&] { validate::currency(bad); });
    CHECK(e.field() == "currency");
  }
}

TEST_CASE("validate: channels", "[ads][validation]") {
  using V = std::vector<std::string>;
  CHECK(validate::channels({}).empty());
  CHECK(validate::channels({"facebook", "Instagram", " TIKTOK "}) == V{"facebook", "instagram", "tiktok"});
  CHECK(validate::channels({"x", "email", "web"}) == V{"x", "email", "web"});  // order kept

  SECTION("unknown channel names the field and the value") {
    const auto e = invalid([&] { validate::channels({"facebook", "myspace"}); });
    CHECK(e.field() == "channels");
    CHECK_THAT(e.what(), Catch::Contains("myspace"));
    CHECK(invalid([&] { validate::channels({""}); }).field() == "channels");
  }
  SECTION("duplicates, also after case folding") {
    const auto e = invalid([&] { validate::channels({"facebook", "FaceBook"}); });
    CHECK(e.field() == "channels");
    CHECK_THAT(e.what(), Catch::Contains("twice"));
  }
  SECTION("at most 10") {
    const auto& known = promptsales::ads::known_channels();
    REQUIRE(known.size() >= 11);
    V ten(known.begin(), known.begin() + 10);
    CHECK(validate::channels(ten) == ten);
    V eleven(known.begin(), known.begin() + 11);
    const auto e = invalid([&] { validate::channels(eleven); });
    CHECK(e.field() == "channels");
    CHECK_THAT(e.what(), Catch::Contains("10"));
  }
  SECTION("every known channel is accepted") {
    for (auto ch : promptsales::ads::known_channels()) CHECK(validate::channels({std::string(ch)}).size() == 1);
  }
}

TEST_CASE("validate: timestamps and schedule", "[ads][validation]") {
  CHECK(validate::timestamp("startsAt", "2026-03-01") == "2026-03-01T00:00:00.000Z");
  CHECK(validate::timestamp("endsAt", " 2026-03-01T10:00:00+02:00 ") == "2026-03-01T08:00:00.000Z");
  for (const char* field : {"startsAt", "endsAt"}) {
    const auto e = invalid([&] { validate::timestamp(field, "2026-02-30"); });
    CHECK(e.field() == field);
    CHECK_THAT(e.what(), Catch::Contains("2026-02-30"));
  }
  CHECK(invalid([&] { validate::timestamp("startsAt", "tomorrow"); }).field() == "startsAt");

  const std::optional<std::string> a = "2026-03-01T00:00:00.000Z";
  const std::optional<std::string> b = "2026-03-02T00:00:00.000Z";
  CHECK_NOTHROW(validate::schedule(a, b));
  CHECK_NOTHROW(validate::schedule(a, std::nullopt));
  CHECK_NOTHROW(validate::schedule(std::nullopt, b));
  CHECK_NOTHROW(validate::schedule(std::nullopt, std::nullopt));
  CHECK(invalid([&] { validate::schedule(b, a); }).field() == "endsAt");
  CHECK(invalid([&] { validate::schedule(a, a); }).field() == "endsAt");
}

TEST_CASE("validate: status", "[ads][validation]") {
  CHECK(validate::status("draft") == CampaignStatus::draft);
  CHECK(validate::status("scheduled") == CampaignStatus::scheduled);
  CHECK(validate::status("active") == CampaignStatus::active);
  CHECK(validate::status(" paused ") == CampaignStatus::paused);
  CHECK(validate::status("ended") == CampaignStatus::ended);
  for (const char* bad : {"", "Active", "deleted", "running", "draft!"}) {
    CHECK(invalid([&] { validate::status(bad); }).field() == "status");
  }
}

TEST_CASE("validate: list filter", "[ads][validation]") {
  CampaignFilter ok;
  CHECK_NOTHROW(validate::filter(ok));
  ok.limit = 1;
  CHECK_NOTHROW(validate::filter(ok));
  ok.limit = 100;
  ok.offset = 1'000'000;
  ok.organization_id = 3;
  ok.search = std::string(200, 'q');
  CHECK_NOTHROW(validate::filter(ok));
  ok.search = repeat("é", 200);
  CHECK_NOTHROW(validate::filter(ok));

  const auto field_of = [](auto mutate) {
    CampaignFilter f;
    mutate(f);
    return invalid([&] { validate::filter(f); }).field();
  };
  CHECK(field_of([](CampaignFilter& f) { f.limit = 0; }) == "limit");
  CHECK(field_of([](CampaignFilter& f) { f.limit = 101; }) == "limit");
  CHECK(field_of([](CampaignFilter& f) { f.limit = -5; }) == "limit");
  CHECK(field_of([](CampaignFilter& f) { f.offset = -1; }) == "offset");
  CHECK(field_of([](CampaignFilter& f) { f.offset = 1'000'001; }) == "offset");
  CHECK(field_of([](CampaignFilter& f) { f.organization_id = 0; }) == "organizationId");
  CHECK(field_of([](CampaignFilter& f) { f.search = repeat("é", 201); }) == "search");
  CHECK(field_of([](CampaignFilter& f) { f.search = "bad\xff"; }) == "search");
}

TEST_CASE("utf8_length", "[ads][validation]") {
  CHECK(validate::utf8_length("") == 0u);
  CHECK(validate::utf8_length("abc") == 3u);
  CHECK(validate::utf8_length("é") == 1u);
  CHECK(validate::utf8_length("日本") == 2u);
  CHECK(validate::utf8_length("😀x") == 2u);
  CHECK(validate::utf8_length("\xF4\x8F\xBF\xBF") == 1u);  // U+10FFFF
  CHECK(validate::utf8_length("\xED\x9F\xBF") == 1u);      // U+D7FF
  for (const std::string& bad : std::vector<std::string>{"\x80", "\xC0\x80", "\xC1\xBF", "\xC3", "\xE2\x82", "\xE0\x9F\xBF", "\xED\xA0\x80",
                                "\xF0\x8F\xBF\xBF", "\xF4\x90\x80\x80", "\xF5\x80\x80\x80", "\xFF", "a\xC3(",
                                std::string("\0", 1)}) {
    CHECK_FALSE(validate::utf8_length(bad).has_value());
  }
}
