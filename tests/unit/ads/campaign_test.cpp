// Campaign value types: status names, the lifecycle transition table,
// content checksums, and the pure helpers of the PostgreSQL repository.
#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "promptsales/ads/campaign.hpp"
#include "promptsales/ads/pg_campaign_repository.hpp"
#include "promptsales/common/db/text_array.hpp"
#include "promptsales/common/hash.hpp"

using namespace promptsales::ads;

namespace {
const std::vector<CampaignStatus> kAll = {CampaignStatus::draft, CampaignStatus::scheduled, CampaignStatus::active,
                                          CampaignStatus::paused, CampaignStatus::ended};
}

TEST_CASE("status names round trip", "[ads][lifecycle]") {
  const std::map<CampaignStatus, std::string> names = {{CampaignStatus::draft, "draft"},
                                                       {CampaignStatus::scheduled, "scheduled"},
                                                       {CampaignStatus::active, "active"},
                                                       {CampaignStatus::paused, "paused"},
                                                       {CampaignStatus::ended, "ended"}};
  for (const auto& [status, name] : names) {
    CHECK(to_string(status) == name);
    CHECK(status_from_string(name) == status);
  }
  CHECK_FALSE(status_from_string("Draft").has_value());
  CHECK_FALSE(status_from_string("").has_value());
  CHECK_FALSE(status_from_string("deleted").has_value());
}

TEST_CASE("lifecycle transitions table", "[ads][lifecycle]") {
  using S = CampaignStatus;
  // draft -> scheduled -> active <-> paused -> ended, plus the documented
  // shortcuts; ended is final.
  const std::set<std::pair<S, S>> allowed = {
      {S::draft, S::scheduled},  {S::draft, S::active},     {S::draft, S::ended},
      {S::scheduled, S::draft},  {S::scheduled, S::active}, {S::scheduled, S::paused}, {S::scheduled, S::ended},
      {S::active, S::paused},    {S::active, S::ended},
      {S::paused, S::active},    {S::paused, S::ended},
  };
  for (const auto from : kAll) {
    for (const auto to : kAll) {
      INFO(to_string(from) << " -> " << to_string(to));
      const bool expected = from == to || allowed.count({from, to}) == 1;
      CHECK(transition_allowed(from, to) == expected);
    }
  }
  // Spelled out for the ones people ask about.
  CHECK_FALSE(transition_allowed(S::ended, S::active));
  CHECK_FALSE(transition_allowed(S::ended, S::draft));
  CHECK_FALSE(transition_allowed(S::draft, S::paused));
  CHECK_FALSE(transition_allowed(S::active, S::draft));
  CHECK_FALSE(transition_allowed(S::paused, S::draft));
  CHECK_FALSE(transition_allowed(S::active, S::scheduled));
}

TEST_CASE("known channels", "[ads]") {
  const auto& channels = known_channels();
  CHECK(channels.size() == 12);
  const std::set<std::string_view> unique(channels.begin(), channels.end());
  CHECK(unique.size() == channels.size());
  for (auto ch : channels) {
    for (char c : ch) CHECK(((c >= 'a' && c <= 'z') || c == '_'));
  }
  CHECK(unique.count("facebook") == 1);
  CHECK(unique.count("whatsapp") == 1);
}

TEST_CASE("content_checksum", "[ads][checksum]") {
  Campaign base;
  base.id = 1;
  base.organization_id = 7;
  base.name = "Summer Sale";
  base.description = "Hot deals";
  base.status = CampaignStatus::active;
  base.budget = "1500.00";
  base.currency = "EUR";
  base.channels = {"facebook", "email"};
  base.starts_at = "2026-03-01T00:00:00.000Z";
  base.ends_at = "2026-04-01T00:00:00.000Z";
  const auto sum = content_checksum(base);

  CHECK(sum.size() == 64);
  CHECK(sum.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(content_checksum(base) == sum);

  SECTION("id, timestamps and the stored checksum are not content") {
    auto c = base;
    c.id = 99;
    c.created_at = "2020-01-01T00:00:00.000Z";
    c.updated_at = "2021-01-01T00:00:00.000Z";
    c.checksum = "x";
    CHECK(content_checksum(c) == sum);
  }
  SECTION("every content field changes it") {
    std::vector<std::pair<const char*, void (*)(Campaign&)>> mutations = {
        {"organization_id", [](Campaign& c) { c.organization_id = 8; }},
        {"name", [](Campaign& c) { c.name += "!"; }},
        {"description", [](Campaign& c) { c.description = ""; }},
        {"status", [](Campaign& c) { c.status = CampaignStatus::paused; }},
        {"enabled", [](Campaign& c) { c.enabled = false; }},
        {"deleted", [](Campaign& c) { c.deleted = true; }},
        {"budget", [](Campaign& c) { c.budget = "1500.01"; }},
        {"currency", [](Campaign& c) { c.currency = "USD"; }},
        {"channels", [](Campaign& c) { c.channels.pop_back(); }},
        {"channel order", [](Campaign& c) { std::swap(c.channels[0], c.channels[1]); }},
        {"starts_at", [](Campaign& c) { c.starts_at.reset(); }},
        {"ends_at", [](Campaign& c) { c.ends_at = "2026-04-02T00:00:00.000Z"; }},
    };
    std::set<std::string> seen{sum};
    for (const auto& [what, mutate] : mutations) {
      INFO(what);
      auto c = base;
      mutate(c);
      const auto changed = content_checksum(c);
      CHECK(changed != sum);
      CHECK(seen.insert(changed).second);
    }
  }
  SECTION("field boundaries are unambiguous") {
    auto a = base;
    auto b = base;
    a.name = "ab";
    a.description = "c";
    b.name = "a";
    b.description = "bc";
    CHECK(content_checksum(a) != content_checksum(b));
    a = base;
    b = base;
    a.channels = {"ab"};
    b.channels = {"a", "b"};
    CHECK(content_checksum(a) != content_checksum(b));
    // Missing start vs. missing end.
    a = base;
    b = base;
    a.starts_at.reset();
    b.ends_at.reset();
    b.starts_at = base.ends_at;
    CHECK(content_checksum(a) != content_checksum(b));
  }
}

TEST_CASE("text array literals", "[ads][pg]") {
  using promptsales::db::parse_text_array;
  using promptsales::db::to_text_array;
  using V = std::vector<std::string>;
  CHECK(parse_text_array("{}").empty());
  CHECK(parse_text_array("{a}") == V{"a"});
  CHECK(parse_text_array("{facebook,instagram}") == V{"facebook", "instagram"});
  CHECK(parse_text_array(R"({"with space","com,ma","q\"uote","back\\slash"})") ==
        V{"with space", "com,ma", "q\"uote", "back\\slash"});
  CHECK(parse_text_array(R"({"",x})") == V{"", "x"});
  CHECK(parse_text_array("").empty());
  CHECK(parse_text_array("not an array").empty());

  CHECK(to_text_array({}) == "{}");
  CHECK(to_text_array({"a", "b"}) == R"({"a","b"})");
  CHECK(to_text_array({"q\"uote", "back\\slash"}) == R"({"q\"uote","back\\slash"})");
  for (const V& v : {V{}, V{"facebook"}, V{"a,b", "c d", "\"", "\\", "{x}", "é"}, V{""}}) {
    CHECK(parse_text_array(to_text_array(v)) == v);
  }
}

TEST_CASE("like_contains_pattern escapes wildcards", "[ads][pg]") {
  CHECK(like_contains_pattern("") == "%%");
  CHECK(like_contains_pattern("sale") == "%sale%");
  CHECK(like_contains_pattern("50%") == "%50\\%%");
  CHECK(like_contains_pattern("a_b") == "%a\\_b%");
  CHECK(like_contains_pattern("c:\\x") == "%c:\\\\x%");
  CHECK(like_contains_pattern("'; DROP TABLE campaigns; --") == "%'; DROP TABLE campaigns; --%");
}
