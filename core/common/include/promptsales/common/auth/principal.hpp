#pragma once
/// Who is calling: the result of verifying a bearer token.

#include <cstdint>
#include <optional>
#include <string>

#include "promptsales/common/auth/permissions.hpp"
#include "promptsales/common/tenancy.hpp"

namespace promptsales::auth {

struct Principal {
  /// The token's `sub` (an Auth0 user id such as "auth0|abc" or a client id).
  std::string subject;
  /// The organization claim; nullopt only for platform administrators.
  std::optional<std::int64_t> organization_id;
  /// From the token's permissions claim and the users table.
  PermissionSet permissions;
  /// The token's `exp` (seconds since the epoch): cached entries die with it.
  std::int64_t expires_at = 0;

  bool can(Permission p) const noexcept { return permissions.has(p); }
  /// A principal with an organization sees only it; one without must hold
  /// platform:admin (checked when the token is verified) and sees all.
  Tenancy tenancy() const noexcept {
    return organization_id ? Tenancy::only(*organization_id) : Tenancy::all();
  }
};

}  // namespace promptsales::auth
