#include "promptsales/common/users.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "../crypto/bytea.hpp"
#include "promptsales/common/crypto/column_cipher.hpp"
#include "promptsales/common/db/errors.hpp"
#include "promptsales/common/db/pool.hpp"
#include "promptsales/common/errors.hpp"
#include "promptsales/common/time.hpp"
#include "promptsales/common/utf8.hpp"

namespace promptsales {
namespace {

constexpr std::string_view kEmailIndexContext = "users.email";
constexpr const char* kColumns =
    "id, subject, organization_id, email_encrypted, name_encrypted, array_to_json(roles)::text, "
    "array_to_json(permissions)::text, disabled, key_id, created_at, updated_at";

std::vector<std::string> json_strings(const pqxx::field& f) {
  return nlohmann::json::parse(f.c_str()).get<std::vector<std::string>>();
}

std::string json_array(const std::vector<std::string>& v) { return nlohmann::json(v).dump(); }

User from_row(const pqxx::row& r, const crypto::Keyring& keys) {
  User u;
  u.id = r[0].as<std::int64_t>();
  u.subject = r[1].as<std::string>();
  if (!r[2].is_null()) u.organization_id = r[2].as<std::int64_t>();
  u.key_id = r[8].as<std::string>();
  const auto* key = keys.find(u.key_id);
  if (!key) {
    throw ConfigError("user " + std::to_string(u.id) + " is encrypted with key id " + u.key_id +
                      ", which is neither the current nor the previous data key");
  }
  u.email = crypto::decrypt_column(*key, kUserEmailContext, crypto::bytes_of(r[3]));
  u.name = crypto::decrypt_column(*key, kUserNameContext, crypto::bytes_of(r[4]));
  u.roles = json_strings(r[5]);
  u.permissions = json_strings(r[6]);
  u.disabled = r[7].as<bool>();
  u.created_at = pg_timestamp_to_iso(r[9].c_str());
  u.updated_at = pg_timestamp_to_iso(r[10].c_str());
  return u;
}

void validate_roles(const std::vector<std::string>& roles) {
  for (const auto& r : roles) {
    if (!auth::permissions_of_role(r)) {
      std::string known;
      for (auto n : auth::role_names()) known += (known.empty() ? "" : ", ") + std::string(n);
      throw ValidationError("role", "unknown role '" + r.substr(0, 60) + "' (known: " + known + ")");
    }
  }
}

void validate_permissions(const std::vector<std::string>& permissions) {
  auth::parse_permissions(permissions, false, "permission");
}

void add_unique(std::vector<std::string>& to, const std::vector<std::string>& items) {
  for (const auto& i : items) {
    if (std::find(to.begin(), to.end(), i) == to.end()) to.push_back(i);
  }
}

void remove_all(std::vector<std::string>& from, const std::vector<std::string>& items) {
  std::erase_if(from, [&](const std::string& s) { return std::find(items.begin(), items.end(), s) != items.end(); });
}

bool holds(const std::vector<std::string>& v, std::string_view s) { return std::find(v.begin(), v.end(), s) != v.end(); }

// The rule the table's CHECKs enforce, said in words before they fire.
void check_platform_rule(const std::optional<std::int64_t>& org, const std::vector<std::string>& permissions,
                         std::string_view subject) {
  const bool platform = holds(permissions, auth::to_string(auth::Permission::platform_admin));
  if (org && platform) {
    throw ValidationError("permission", "platform:admin cannot be held by a user of a customer organization (" +
                                            std::string(subject) + " belongs to organization " +
                                            std::to_string(*org) + ")");
  }
  if (!org && !platform) {
    throw ValidationError("permission", "user " + std::string(subject) +
                                            " has no organization, so is a platform operator and must keep "
                                            "platform:admin");
  }
}

std::string trimmed(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

}  // namespace

auth::PermissionSet User::effective() const {
  auth::PermissionSet set = auth::parse_permissions(permissions, true);
  for (const auto& r : roles) {
    if (auto p = auth::permissions_of_role(r)) set.add(*p);
  }
  return set;
}

std::string normalize_email(std::string_view email) {
  std::string e = trimmed(email);
  std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const auto at = e.find('@');
  const bool bad_char = std::any_of(e.begin(), e.end(), [](unsigned char c) { return c <= ' ' || c == 0x7f; });
  if (e.empty() || e.size() > 254 || at == std::string::npos || at == 0 || at + 1 == e.size() ||
      e.find('@', at + 1) != std::string::npos || bad_char || !utf8_length(e)) {
    throw ValidationError("email", "not an email address like ana@example.com");
  }
  return e;
}

const crypto::Keyring& PgUsers::keys() const {
  if (!keys_) throw ConfigError("this operation needs the data key: set PROMPTSALES_DATA_KEY or data_key_file");
  return *keys_;
}

User PgUsers::register_user(const NewUser& n) {
  const std::string subject = trimmed(n.subject);
  if (subject.empty() || subject.size() > 255) throw ValidationError("subject", "must be 1-255 characters");
  const std::string email = normalize_email(n.email);
  const std::string name = trimmed(n.name);
  const auto name_length = utf8_length(name);
  if (!name_length || *name_length == 0 || *name_length > 120) {
    throw ValidationError("name", "must be 1-120 characters of valid UTF-8");
  }
  validate_roles(n.roles);
  validate_permissions(n.permissions);
  if (n.organization_id && n.platform_operator) {
    throw ValidationError("organization", "a platform operator belongs to no organization: give one of them");
  }
  if (!n.organization_id && !n.platform_operator) {
    throw ValidationError("organization", "required (a platform operator without one is registered as such)");
  }
  std::vector<std::string> roles;
  add_unique(roles, n.roles);
  std::vector<std::string> permissions;
  add_unique(permissions, n.permissions);
  if (n.platform_operator) add_unique(permissions, {std::string(auth::to_string(auth::Permission::platform_admin))});
  check_platform_rule(n.organization_id, permissions, subject);

  const auto& key = keys().current();
  auto lease = control_.acquire();
  try {
    pqxx::work tx(*lease);
    if (n.organization_id &&
        tx.exec_params("SELECT 1 FROM organizations WHERE id = $1", *n.organization_id).empty()) {
      throw NotFound("organization " + std::to_string(*n.organization_id) + " does not exist");
    }
    if (!tx.exec_params("SELECT 1 FROM users WHERE subject = $1", subject).empty()) {
      throw Conflict("a user with subject '" + subject + "' is already registered");
    }
    const auto r = tx.exec_params1(
        std::string("INSERT INTO users (subject, organization_id, email_encrypted, email_index, name_encrypted, "
                    "roles, permissions, key_id) VALUES ($1, $2, decode($3, 'hex'), decode($4, 'hex'), "
                    "decode($5, 'hex'), ARRAY(SELECT jsonb_array_elements_text($6::jsonb)), "
                    "ARRAY(SELECT jsonb_array_elements_text($7::jsonb)), $8) RETURNING ") +
            kColumns,
        subject, n.organization_id, crypto::to_hex(crypto::encrypt_column(key, kUserEmailContext, email)),
        crypto::to_hex(crypto::blind_index(key, kEmailIndexContext, email)),
        crypto::to_hex(crypto::encrypt_column(key, kUserNameContext, name)), json_array(roles),
        json_array(permissions), key.id());
    tx.commit();
    return from_row(r, keys());
  } catch (const Error&) {
    throw;
  } catch (...) {
    db::rethrow_translated();
  }
}

std::vector<User> PgUsers::list(std::optional<std::int64_t> organization_id) {
  const auto& ring = keys();
  return control_.with_connection([&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);
    std::vector<User> out;
    for (const auto& r : tx.exec_params(std::string("SELECT ") + kColumns +
                                            " FROM users WHERE ($1::bigint IS NULL OR organization_id = $1) "
                                            "ORDER BY id",
                                        organization_id)) {
      out.push_back(from_row(r, ring));
    }
    return out;
  });
}

std::optional<User> PgUsers::find(std::string_view subject) {
  const auto& ring = keys();
  return control_.with_connection([&](pqxx::connection& c) -> std::optional<User> {
    pqxx::nontransaction tx(c);
    const auto r = tx.exec_params(std::string("SELECT ") + kColumns + " FROM users WHERE subject = $1",
                                  std::string(subject));
    if (r.empty()) return std::nullopt;
    return from_row(r[0], ring);
  });
}

bool PgUsers::exists(std::string_view subject) {
  return control_.with_connection([&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);
    return !tx.exec_params("SELECT 1 FROM users WHERE subject = $1", std::string(subject)).empty();
  });
}

std::optional<User> PgUsers::find_by_email(std::string_view email) {
  const auto& ring = keys();
  const auto normalized = normalize_email(email);
  std::vector<std::string> indexes;
  for (const auto& k : ring.keys()) indexes.push_back(crypto::to_hex(crypto::blind_index(k, kEmailIndexContext, normalized)));
  return control_.with_connection([&](pqxx::connection& c) -> std::optional<User> {
    pqxx::nontransaction tx(c);
    const auto rows = tx.exec_params(
        std::string("SELECT ") + kColumns +
            " FROM users WHERE email_index IN (SELECT decode(x, 'hex') FROM jsonb_array_elements_text($1::jsonb) x) "
            "ORDER BY id",
        json_array(indexes));
    // The index may collide across keys in theory; the decrypted email decides.
    for (const auto& r : rows) {
      auto u = from_row(r, ring);
      if (u.email == normalized) return u;
    }
    return std::nullopt;
  });
}

User PgUsers::change(std::string_view subject, const Grant& grant, bool add) {
  validate_roles(grant.roles);
  validate_permissions(grant.permissions);
  if (grant.roles.empty() && grant.permissions.empty()) {
    throw ValidationError("grant", "name at least one --role or --permission");
  }
  auto lease = control_.acquire();
  try {
    pqxx::work tx(*lease);
    const auto rows = tx.exec_params(
        "SELECT organization_id, array_to_json(roles)::text, array_to_json(permissions)::text FROM users "
        "WHERE subject = $1 FOR UPDATE",
        std::string(subject));
    if (rows.empty()) throw NotFound("no user with subject '" + std::string(subject) + "'");
    std::optional<std::int64_t> org;
    if (!rows[0][0].is_null()) org = rows[0][0].as<std::int64_t>();
    auto roles = json_strings(rows[0][1]);
    auto permissions = json_strings(rows[0][2]);
    if (add) {
      add_unique(roles, grant.roles);
      add_unique(permissions, grant.permissions);
    } else {
      remove_all(roles, grant.roles);
      remove_all(permissions, grant.permissions);
    }
    check_platform_rule(org, permissions, subject);
    tx.exec_params(
        "UPDATE users SET roles = ARRAY(SELECT jsonb_array_elements_text($2::jsonb)), "
        "permissions = ARRAY(SELECT jsonb_array_elements_text($3::jsonb)), updated_at = now() WHERE subject = $1",
        std::string(subject), json_array(roles), json_array(permissions));
    tx.commit();
  } catch (const Error&) {
    throw;
  } catch (...) {
    db::rethrow_translated();
  }
  // The access fields only: a grant needs no data key, and must not fail
  // after committing because a row is on a key this process lacks.
  return control_.with_connection([&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);
    const auto r = tx.exec_params1(
        "SELECT id, organization_id, array_to_json(roles)::text, array_to_json(permissions)::text, disabled, "
        "key_id, created_at, updated_at FROM users WHERE subject = $1",
        std::string(subject));
    User u;
    u.subject = std::string(subject);
    u.id = r[0].as<std::int64_t>();
    if (!r[1].is_null()) u.organization_id = r[1].as<std::int64_t>();
    u.roles = json_strings(r[2]);
    u.permissions = json_strings(r[3]);
    u.disabled = r[4].as<bool>();
    u.key_id = r[5].as<std::string>();
    u.created_at = pg_timestamp_to_iso(r[6].c_str());
    u.updated_at = pg_timestamp_to_iso(r[7].c_str());
    return u;
  });
}

User PgUsers::grant(std::string_view subject, const Grant& g) { return change(subject, g, true); }
User PgUsers::revoke(std::string_view subject, const Grant& g) { return change(subject, g, false); }

User PgUsers::set_disabled(std::string_view subject, bool disabled) {
  const auto affected = control_.with_connection([&](pqxx::connection& c) {
    pqxx::work tx(c);
    const auto r = tx.exec_params("UPDATE users SET disabled = $2, updated_at = now() WHERE subject = $1",
                                  std::string(subject), disabled);
    tx.commit();
    return r.affected_rows();
  });
  if (affected == 0) throw NotFound("no user with subject '" + std::string(subject) + "'");
  return *find(subject);
}

std::optional<UserAccess> PgUsers::access(std::string_view subject) {
  // One query on the subject's unique index (plus the organization's
  // primary key): this runs for every verified token.
  return control_.with_connection([&](pqxx::connection& c) -> std::optional<UserAccess> {
    pqxx::nontransaction tx(c);
    const auto r = tx.exec_params(
        "SELECT u.id, u.organization_id, array_to_json(u.roles)::text, array_to_json(u.permissions)::text "
        "FROM users u LEFT JOIN organizations o ON o.id = u.organization_id "
        "WHERE u.subject = $1 AND NOT u.disabled AND (u.organization_id IS NULL OR o.enabled)",
        std::string(subject));
    if (r.empty()) return std::nullopt;
    UserAccess a;
    a.user_id = r[0][0].as<std::int64_t>();
    if (!r[0][1].is_null()) a.organization_id = r[0][1].as<std::int64_t>();
    User u;
    u.roles = json_strings(r[0][2]);
    u.permissions = json_strings(r[0][3]);
    a.permissions = u.effective();
    return a;
  });
}

auth::PermissionSet PgUsers::granted_permissions(std::string_view subject) {
  auto a = access(subject);
  return a ? a->permissions : auth::PermissionSet{};
}

}  // namespace promptsales
