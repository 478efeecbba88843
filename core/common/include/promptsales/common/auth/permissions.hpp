#pragma once
/// The permissions a principal can hold, and the roles that bundle them.
/// Names follow Auth0 RBAC (`resource:action`), so an Auth0 API's
/// `permissions` claim and the users table speak the same language. Every
/// HTTP route and every privileged operation names exactly one of these.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace promptsales::auth {

enum class Permission : std::uint8_t {
  campaigns_read,
  campaigns_write,
  leads_read,
  leads_write,
  leads_export,
  content_read,
  content_write,
  users_admin,
  billing_admin,
  backup_admin,
  audit_read,
  /// Cross-organization access (platform operators): lists every
  /// organization's data. Never granted by a role of a customer organization.
  platform_admin,
};

inline constexpr std::size_t kPermissionCount = static_cast<std::size_t>(Permission::platform_admin) + 1;

/// A set of permissions as a bit mask: checked on every request, so it must
/// cost one AND.
class PermissionSet {
 public:
  constexpr PermissionSet() = default;
  constexpr bool has(Permission p) const noexcept { return (bits_ & bit(p)) != 0; }
  constexpr void add(Permission p) noexcept { bits_ |= bit(p); }
  constexpr void remove(Permission p) noexcept { bits_ &= ~bit(p); }
  constexpr void add(PermissionSet other) noexcept { bits_ |= other.bits_; }
  constexpr bool empty() const noexcept { return bits_ == 0; }
  constexpr std::uint32_t bits() const noexcept { return bits_; }
  static constexpr PermissionSet from_bits(std::uint32_t bits) noexcept {
    PermissionSet s;
    s.bits_ = bits & ((1u << kPermissionCount) - 1);
    return s;
  }
  constexpr bool operator==(const PermissionSet&) const noexcept = default;

 private:
  static constexpr std::uint32_t bit(Permission p) noexcept { return 1u << static_cast<unsigned>(p); }
  std::uint32_t bits_ = 0;
};

/// "campaigns:read" for Permission::campaigns_read.
std::string_view to_string(Permission p) noexcept;
/// The permission named `name`, or nullopt for an unknown name.
std::optional<Permission> parse_permission(std::string_view name) noexcept;
/// Every permission, in declaration order.
std::span<const Permission> all_permissions() noexcept;
/// Names of the permissions in `set`, in declaration order.
std::vector<std::string> names_of(PermissionSet set);
/// Parses names; unknown names are ignored when `ignore_unknown` (a token
/// may carry permissions of other APIs) and a ValidationError naming the
/// field and the name otherwise.
PermissionSet parse_permissions(std::span<const std::string> names, bool ignore_unknown,
                                std::string_view field = "permissions");

/// Built-in roles of a customer organization's users:
///   viewer   campaigns:read, leads:read, content:read
///   marketer viewer + campaigns:write, leads:write, content:write
///   analyst  viewer + leads:export, audit:read
///   admin    everything except platform:admin
/// nullopt for an unknown role name.
std::optional<PermissionSet> permissions_of_role(std::string_view role) noexcept;
/// The role names above, in that order.
std::span<const std::string_view> role_names() noexcept;

}  // namespace promptsales::auth
