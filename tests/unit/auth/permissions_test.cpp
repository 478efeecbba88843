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
