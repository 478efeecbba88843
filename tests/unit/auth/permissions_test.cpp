#include <catch2/catch.hpp>

#include "promptsales/common/auth/permissions.hpp"
#include "promptsales/common/errors.hpp"

using namespace promptsales::auth;

TEST_CASE("permission names round-trip and unknown names are rejected", "[auth]") {
  for (const auto p : all_permissions()) {
    const auto name = to_string(p);
    CHECK(name.find(':') != std::string_view::npos);
    REQUIRE(parse_permission(name) == p);
  }
  CHECK_FALSE(parse_permission("campaigns:READ"));
  CHECK_FALSE(parse_permission(""));
  CHECK_FALSE(parse_permission("campaigns:read "));
}

TEST_CASE("permission sets parse, ignoring foreign names only when asked", "[auth]") {
  const std::vector<std::string> names = {"campaigns:read", "read:other-api", "leads:export"};
  const auto set = parse_permissions(names, /*ignore_unknown=*/true);
  CHECK(set.has(Permission::campaigns_read));
  CHECK(set.has(Permission::leads_export));
  CHECK_FALSE(set.has(Permission::campaigns_write));
  CHECK(names_of(set) == std::vector<std::string>{"campaigns:read", "leads:export"});
  CHECK_THROWS_AS(parse_permissions(names, /*ignore_unknown=*/false), promptsales::ValidationError);
  CHECK_THROWS_WITH(parse_permissions(names, false, "grant"), Catch::Contains("read:other-api"));
  CHECK(PermissionSet::from_bits(set.bits()) == set);
  CHECK(PermissionSet::from_bits(0xffffffffu).bits() == (1u << kPermissionCount) - 1);
}

TEST_CASE("roles bundle permissions and never grant platform access", "[auth]") {
  for (const auto role : role_names()) {
    const auto set = permissions_of_role(role);
    REQUIRE(set);
    CHECK(set->has(Permission::campaigns_read));
    CHECK_FALSE(set->has(Permission::platform_admin));
  }
  CHECK_FALSE(permissions_of_role("viewer")->has(Permission::campaigns_write));
  CHECK(permissions_of_role("marketer")->has(Permission::campaigns_write));
  CHECK(permissions_of_role("analyst")->has(Permission::leads_export));
  CHECK(permissions_of_role("admin")->has(Permission::backup_admin));
  CHECK_FALSE(permissions_of_role("root"));
}

#include "promptsales/common/auth/base64url.hpp"

TEST_CASE("base64url encodes without padding and decodes strictly", "[auth]") {
  CHECK(base64url_encode("") == "");
  CHECK(base64url_encode("f") == "Zg");
  CHECK(base64url_encode("fo") == "Zm8");
  CHECK(base64url_encode("foo") == "Zm9v");
  CHECK(base64url_encode("\xfb\xff") == "-_8");
  for (const std::string s : {"", "a", "ab", "abc", "abcd", "\x00\x01\xfe\xff"}) CHECK(base64url_decode(base64url_encode(s)) == s);
  CHECK_FALSE(base64url_decode("Zg=="));  // padding is not base64url in JOSE
  CHECK_FALSE(base64url_decode("Z"));     // impossible length
  CHECK_FALSE(base64url_decode("Zh"));    // non-zero leftover bits
  CHECK_FALSE(base64url_decode("a+b/"));  // the other alphabet
}
