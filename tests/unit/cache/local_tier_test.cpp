#include <catch2/catch.hpp>

#include <string>

#include "promptsales/common/cache/local_tier.hpp"

using namespace std::chrono_literals;
using promptsales::cache::CacheClock;
using promptsales::cache::LocalStamp;
using promptsales::cache::LocalTier;
using promptsales::cache::LocalTierOptions;

namespace {

const auto t0 = CacheClock::time_point(std::chrono::hours(1000));

LocalStamp stamp(std::uint64_t generation = 1, std::uint64_t epoch = 1) {
  return LocalStamp{generation, epoch, t0 + 300s};
}

auto bytes(const std::string& s) { return std::make_shared<const std::string>(s); }

bool has(const LocalTier& tier, const std::string& key, std::uint64_t generation = 1) {
  return tier.find("s", key, generation, 1, t0) != nullptr;
}

}  // namespace

TEST_CASE("local tier: stores and finds by scope, key, generation and epoch", "[cache][local]") {
  LocalTier tier;
  tier.put("org:1", "limit=20", bytes("page"), stamp(3, 7));
  const auto hit = tier.find("org:1", "limit=20", 3, 7, t0);
  REQUIRE(hit);
  CHECK(*hit == "page");
  CHECK_FALSE(tier.find("org:2", "limit=20", 3, 7, t0));
  CHECK_FALSE(tier.find("org:1", "limit=20", 4, 7, t0));  // another generation
  CHECK_FALSE(tier.find("org:1", "limit=20", 3, 8, t0));  // another trust epoch
  CHECK(tier.entries() == 1);
  CHECK(tier.bytes() == std::string("org:1limit=20page").size());
}

TEST_CASE("local tier: entries expire", "[cache][local]") {
  LocalTier tier;
  tier.put("s", "k", bytes("v"), stamp());
  CHECK(tier.find("s", "k", 1, 1, t0 + 299s));
  CHECK_FALSE(tier.find("s", "k", 1, 1, t0 + 300s));
}

TEST_CASE("local tier: the entry bound evicts an entry that was not used (CLOCK)", "[cache][local]") {
  LocalTier tier(LocalTierOptions{4, 1 << 20, 1});
  for (const char* k : {"a", "b", "c", "d"}) {
    tier.put("s", k, bytes("v"), stamp());
  }
  CHECK(tier.entries() == 4);
  CHECK(has(tier, "a"));
  CHECK(has(tier, "b"));
  CHECK(has(tier, "d"));
  tier.put("s", "e", bytes("v"), stamp());
  CHECK(tier.entries() == 4);
  CHECK(tier.evictions() == 1);
  CHECK_FALSE(has(tier, "c"));  // the only one not used since it was stored
  CHECK(has(tier, "a"));
  CHECK(has(tier, "b"));
  CHECK(has(tier, "d"));
  CHECK(has(tier, "e"));
}

TEST_CASE("local tier: the byte bound evicts until the new entry fits", "[cache][local]") {
  // Each entry: scope "s" (1) + key (1) + value (38) = 40 bytes.
  LocalTier tier(LocalTierOptions{100, 100, 1});
  const std::string value(38, 'x');
  tier.put("s", "a", bytes(value), stamp());
  tier.put("s", "b", bytes(value), stamp());
  CHECK(tier.bytes() == 80);
  tier.put("s", "c", bytes(value), stamp());
  CHECK(tier.bytes() <= 100);
  CHECK(tier.entries() == 2);
  CHECK(has(tier, "c"));
  CHECK(tier.evictions() == 1);

  tier.put("s", "big", bytes(std::string(98, 'y')), stamp());  // 102 bytes: larger than the whole budget
  CHECK_FALSE(has(tier, "big"));
  CHECK(tier.entries() == 2);

  tier.put("s", "huge-but-fits", bytes(std::string(80, 'z')), stamp());  // 94 bytes: evicts both
  CHECK(has(tier, "huge-but-fits"));
  CHECK(tier.entries() == 1);
  CHECK(tier.bytes() == 94);
}

TEST_CASE("local tier: a late store of an older generation does not replace a newer one", "[cache][local]") {
  LocalTier tier;
  tier.put("s", "k", bytes("new"), stamp(5));
  tier.put("s", "k", bytes("old"), stamp(4));
  REQUIRE(tier.find("s", "k", 5, 1, t0));
  CHECK(*tier.find("s", "k", 5, 1, t0) == "new");
  tier.put("s", "k", bytes("newer"), stamp(6));
  CHECK(*tier.find("s", "k", 6, 1, t0) == "newer");
  CHECK(tier.entries() == 1);
  tier.put("s", "k", bytes("next epoch"), stamp(1, 2));  // a new trust epoch always replaces
  CHECK(*tier.find("s", "k", 1, 2, t0) == "next epoch");
}

TEST_CASE("local tier: clear empties every shard", "[cache][local]") {
  LocalTier tier(LocalTierOptions{1000, 1 << 20, 8});
  for (int i = 0; i < 100; ++i) {
    tier.put("s", std::to_string(i), bytes("v"), stamp());
  }
  CHECK(tier.entries() == 100);
  tier.clear();
  CHECK(tier.entries() == 0);
  CHECK(tier.bytes() == 0);
  CHECK_FALSE(has(tier, "1"));
  tier.put("s", "again", bytes("v"), stamp());
  CHECK(has(tier, "again"));
}
