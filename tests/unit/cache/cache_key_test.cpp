#include <catch2/catch.hpp>

#include "promptsales/common/cache/cache_key.hpp"

using promptsales::cache::canonical_query;

TEST_CASE("canonical query: order of parameters does not matter", "[cache][key]") {
  const auto a = canonical_query({{"organizationId", "42"}, {"limit", "20"}, {"offset", "40"}});
  const auto b = canonical_query({{"offset", "40"}, {"organizationId", "42"}, {"limit", "20"}});
  CHECK(a == b);
  CHECK(a == "limit=20&offset=40&organizationId=42");
  CHECK(canonical_query({}).empty());
}

TEST_CASE("canonical query: separators inside values cannot merge parameters", "[cache][key]") {
  const auto one = canonical_query({{"q", "a&b=c"}});
  const auto two = canonical_query({{"q", "a"}, {"b", "c"}});
  CHECK(one != two);
  CHECK(one == "q=a%26b%3Dc");
  CHECK(canonical_query({{"status", "active"}, {"status", "paused"}}) ==
        canonical_query({{"status", "paused"}, {"status", "active"}}));
}
