#pragma once
/// Users of the portal (one per OIDC subject) and what they may do: the
/// union of their roles' permissions and their direct grants. Email and name
/// are encrypted at rest; lookups by email use a keyed blind index.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "promptsales/common/auth/permissions.hpp"

namespace promptsales {

namespace db {
class Pool;
}
namespace crypto {
class Keyring;
}

/// Encryption contexts of the users table (bound into each value's MAC).
inline constexpr std::string_view kUserEmailContext = "users.email";
inline constexpr std::string_view kUserNameContext = "users.name";

struct User {
  std::int64_t id = 0;
  std::string subject;
  std::optional<std::int64_t> organization_id;  ///< nullopt: platform operator
  std::string email;
  std::string name;
  std::vector<std::string> roles;
  std::vector<std::string> permissions;  ///< direct grants
  bool disabled = false;
  std::string key_id;
  std::string created_at;
  std::string updated_at;
  /// Roles' permissions plus direct grants.
  auth::PermissionSet effective() const;
};

struct NewUser {
  std::string subject;
  std::string email;
  std::string name;
  std::optional<std::int64_t> organization_id;
  std::vector<std::string> roles;
  std::vector<std::string> permissions;
  /// No organization; holds platform:admin. Required when organization_id is empty.
  bool platform_operator = false;
};

/// Roles and permissions to add or remove.
struct Grant {
  std::vector<std::string> roles;
  std::vector<std::string> permissions;
};

/// What the token verifier needs about a subject.
struct UserAccess {
  std::int64_t user_id = 0;
  std::optional<std::int64_t> organization_id;
  auth::PermissionSet permissions;
};

/// Users stored in the control database.
class PgUsers {
 public:
  /// `keys` may be null for callers that never touch encrypted columns
  /// (access(), granted_permissions(), exists(), grant(), revoke()); the others throw
  /// ConfigError without it.
  PgUsers(db::Pool& control, const crypto::Keyring* keys) : control_(control), keys_(keys) {}

  /// Validates (subject 1-255 characters, email, name 1-120 characters,
  /// known roles and permissions, existing organization) and inserts.
  /// Throws ValidationError, NotFound (organization), Conflict (subject taken).
  User register_user(const NewUser& user);
  /// Decrypted, ordered by id; only one organization's when `organization_id`.
  std::vector<User> list(std::optional<std::int64_t> organization_id);
  std::optional<User> find(std::string_view subject);
  /// Whether any user (enabled or not) has this subject; needs no key.
  bool exists(std::string_view subject);
  /// By the blind index of the normalized (trimmed, lower-case) email, under
  /// every key of the keyring (so it works mid-rotation).
  std::optional<User> find_by_email(std::string_view email);
  /// Adds roles/permissions (already held ones are kept: idempotent) and
  /// returns the user's access fields (email and name are left empty: no
  /// data key is needed). Throws ValidationError for unknown names or a grant
  /// the user cannot hold, NotFound for an unknown subject.
  User grant(std::string_view subject, const Grant& grant);
  User revoke(std::string_view subject, const Grant& grant);
  User set_disabled(std::string_view subject, bool disabled);

  /// One indexed query: the subject's effective permissions and
  /// organization; nullopt for an unknown or disabled user or a disabled
  /// organization.
  std::optional<UserAccess> access(std::string_view subject);
  /// access()->permissions, empty for unknown or disabled users.
  auth::PermissionSet granted_permissions(std::string_view subject);

 private:
  const crypto::Keyring& keys() const;
  User change(std::string_view subject, const Grant& grant, bool add);
  db::Pool& control_;
  const crypto::Keyring* keys_;
};

/// Trims and lower-cases an email; throws ValidationError("email") when it is
/// not one (no '@', too long, spaces or control characters).
std::string normalize_email(std::string_view email);

}  // namespace promptsales
