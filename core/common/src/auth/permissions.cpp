#include "promptsales/common/auth/permissions.hpp"

#include <array>

#include "promptsales/common/errors.hpp"

namespace promptsales::auth {
namespace {

struct Named {
  Permission permission;
  std::string_view name;
};

// Declaration order of Permission; to_string indexes it.
constexpr std::array<Named, kPermissionCount> kNames = {{
    {Permission::campaigns_read, "campaigns:read"},
    {Permission::campaigns_write, "campaigns:write"},
    {Permission::leads_read, "leads:read"},
    {Permission::leads_write, "leads:write"},
    {Permission::leads_export, "leads:export"},
    {Permission::content_read, "content:read"},
    {Permission::content_write, "content:write"},
    {Permission::users_admin, "users:admin"},
    {Permission::billing_admin, "billing:admin"},
    {Permission::backup_admin, "backup:admin"},
    {Permission::audit_read, "audit:read"},
    {Permission::platform_admin, "platform:admin"},
}};

constexpr std::array<Permission, kPermissionCount> kAll = [] {
  std::array<Permission, kPermissionCount> all{};
  for (std::size_t i = 0; i < kPermissionCount; ++i) all[i] = kNames[i].permission;
  return all;
}();

constexpr std::array<std::string_view, 4> kRoles = {"viewer", "marketer", "analyst", "admin"};

constexpr PermissionSet set_of(std::initializer_list<Permission> ps) {
  PermissionSet s;
  for (auto p : ps) s.add(p);
  return s;
}

}  // namespace

std::string_view to_string(Permission p) noexcept {
  const auto i = static_cast<std::size_t>(p);
  return i < kNames.size() ? kNames[i].name : std::string_view("?");
}

std::optional<Permission> parse_permission(std::string_view name) noexcept {
  for (const auto& n : kNames) {
    if (n.name == name) return n.permission;
  }
  return std::nullopt;
}

std::span<const Permission> all_permissions() noexcept { return kAll; }

std::vector<std::string> names_of(PermissionSet set) {
  std::vector<std::string> names;
  for (const auto& n : kNames) {
    if (set.has(n.permission)) names.emplace_back(n.name);
  }
  return names;
}

PermissionSet parse_permissions(std::span<const std::string> names, bool ignore_unknown, std::string_view field) {
  PermissionSet set;
  for (const auto& name : names) {
    if (const auto p = parse_permission(name)) {
      set.add(*p);
    } else if (!ignore_unknown) {
      throw ValidationError(std::string(field), "unknown permission '" + name.substr(0, 60) + "'");
    }
  }
  return set;
}

std::optional<PermissionSet> permissions_of_role(std::string_view role) noexcept {
  using P = Permission;
  constexpr PermissionSet viewer = set_of({P::campaigns_read, P::leads_read, P::content_read});
  if (role == "viewer") return viewer;
  if (role == "marketer") {
    auto s = viewer;
    s.add(set_of({P::campaigns_write, P::leads_write, P::content_write}));
    return s;
  }
  if (role == "analyst") {
    auto s = viewer;
    s.add(set_of({P::leads_export, P::audit_read}));
    return s;
  }
  if (role == "admin") {
    PermissionSet s;
    for (auto p : kAll) {
      if (p != P::platform_admin) s.add(p);
    }
    return s;
  }
  return std::nullopt;
}

std::span<const std::string_view> role_names() noexcept { return kRoles; }

}  // namespace promptsales::auth
