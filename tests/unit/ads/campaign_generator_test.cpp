// CampaignGenerator: deterministic, valid, realistic demo campaigns.
#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "promptsales/ads/campaign_generator.hpp"
#include "promptsales/ads/campaign_json.hpp"
#include "promptsales/ads/campaign_validation.hpp"
#include "promptsales/common/time.hpp"

using namespace promptsales::ads;

namespace {

std::vector<std::string> generate(std::uint64_t seed, int n) {
  CampaignGenerator g(seed);
  std::vector<std::string> out;
  for (int i = 1; i <= n; ++i) out.push_back(campaign_to_json(g.next(i, 1 + i % 5)));
  return out;
}

}  // namespace

TEST_CASE("generator: same seed, same campaigns", "[ads][generator]") {
  CHECK(generate(42, 500) == generate(42, 500));
  CHECK(generate(0, 50) == generate(0, 50));
}

TEST_CASE("generator: different seeds, different campaigns", "[ads][generator]") {
  const auto a = generate(42, 200);
  const auto b = generate(43, 200);
  int same = 0;
  for (std::size_t i = 0; i < a.size(); ++i) same += a[i] == b[i] ? 1 : 0;
  CHECK(same == 0);
}

TEST_CASE("generator: ids and organizations come from the caller", "[ads][generator]") {
  CampaignGenerator g(1);
  const auto c = g.next(12345, 678);
  CHECK(c.id == 12345);
  CHECK(c.organization_id == 678);
}

TEST_CASE("generator: 10k campaigns are valid and realistic", "[ads][generator]") {
  CampaignGenerator g(42);
  constexpr int kCount = 10000;
  int deleted = 0;
  int disabled = 0;
  int with_end = 0;
  std::size_t max_name = 0;
  std::size_t max_description = 0;
  std::map<CampaignStatus, int> statuses;
  std::set<std::string> currencies;
  std::set<std::string> names;
  const auto earliest = *promptsales::normalize_iso8601("2024-01-01T00:00:00Z");
  const auto latest = *promptsales::normalize_iso8601("2026-01-01T00:00:00.999Z");

  for (int i = 1; i <= kCount; ++i) {
    const auto c = g.next(i, 1 + i % 10);
    INFO("campaign " << i << ": " << campaign_to_json(c));
    const auto name_len = validate::utf8_length(c.name);
    const auto description_len = validate::utf8_length(c.description);
    REQUIRE(name_len.has_value());
    REQUIRE(description_len.has_value());
    REQUIRE(*name_len >= 1);
    REQUIRE(*name_len <= kMaxNameChars);
    REQUIRE(*description_len <= kMaxDescriptionChars);
    max_name = std::max(max_name, *name_len);
    max_description = std::max(max_description, *description_len);

    // Everything the generator produces passes the service's validation
    // unchanged (seed loads it with COPY, bypassing the service).
    REQUIRE(validate::name(c.name) == c.name);
    REQUIRE(validate::description(c.description) == c.description);
    REQUIRE(validate::budget(c.budget) == c.budget);
    REQUIRE(validate::currency(c.currency) == c.currency);
    REQUIRE(validate::channels(c.channels) == c.channels);
    REQUIRE_FALSE(c.channels.empty());
    REQUIRE(c.starts_at.has_value());
    REQUIRE(promptsales::normalize_iso8601(*c.starts_at) == c.starts_at);
    if (c.ends_at) {
      ++with_end;
      REQUIRE(promptsales::normalize_iso8601(*c.ends_at) == c.ends_at);
      REQUIRE(*c.ends_at > *c.starts_at);
    }
    REQUIRE(promptsales::normalize_iso8601(c.created_at) == c.created_at);
    REQUIRE(c.created_at >= earliest);
    REQUIRE(c.created_at <= latest);
    REQUIRE(c.updated_at == c.created_at);
    REQUIRE(c.checksum == content_checksum(c));

    deleted += c.deleted ? 1 : 0;
    disabled += c.enabled ? 0 : 1;
    ++statuses[c.status];
    currencies.insert(c.currency);
    names.insert(c.name);
  }
  // ~3% deleted.
  CHECK(deleted >= kCount * 2 / 100);
  CHECK(deleted <= kCount * 4 / 100);
  // Variety.
  CHECK(statuses.size() == 5);
  CHECK(currencies.size() >= 3);
  CHECK(names.size() > 200);
  CHECK(disabled > 0);
  CHECK(with_end > 0);
  CHECK(with_end < kCount);
  CHECK(max_name > 30);
  CHECK(max_description > 150);
}
