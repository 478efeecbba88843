// Users and organizations with encrypted columns, against the real
// PostgreSQL: no plaintext at rest, pgcrypto reads what C++ wrote, tampering
// is caught, and permissions are the union of roles and grants.
#include <catch2/catch.hpp>

#include "data_fixture.hpp"
#include "promptsales/common/crypto/integrity_error.hpp"
#include "promptsales/common/errors.hpp"
#include "promptsales/common/tenants.hpp"
#include "promptsales/common/users.hpp"

using namespace promptsales;
using namespace promptsales::test;
using auth::Permission;

namespace {

NewUser ana(std::int64_t org) {
  return NewUser{"auth0|ana", "Ana.Garcia@Example.com ", "Ana García Pérez", org, {"marketer"}, {"leads:export"}, false};
}

}  // namespace

TEST_CASE_METHOD(DataFixture, "users: registered data is encrypted at rest, readable in C++ and with pgcrypto",
                 "[data][users]") {
  const auto org = add_org("Acme");
  const crypto::Keyring ring(key_a);
  PgUsers users(*pool, &ring);
  const auto u = users.register_user(ana(org));
  CHECK(u.email == "ana.garcia@example.com");
  CHECK(u.name == "Ana García Pérez");
  CHECK(u.key_id == key_a.id());

  // No plaintext anywhere in the row: not in its text form, not inside any bytea.
  for (const std::string plain : {"ana.garcia@example.com", "Ana García", "garcia"}) {
    CAPTURE(plain);
    CHECK(scalar("SELECT count(*) FROM users u WHERE position('" + plain + "' in u::text) > 0") == "0");
    CHECK(scalar("SELECT count(*) FROM users WHERE position(convert_to('" + plain +
                 "', 'UTF8') in email_encrypted || name_encrypted || email_index) > 0") == "0");
  }

  // pgcrypto, with the key passed in the query, decrypts what C++ wrote.
  const std::string k = "decode('" + kKeyHexA + "', 'hex')";
  CHECK(scalar("SELECT convert_from(decrypt_iv(substring(email_encrypted from 17 for octet_length(email_encrypted) - "
               "48), " + k + ", substring(email_encrypted for 16), 'aes-cbc/pad:pkcs'), 'UTF8') FROM users") ==
        "ana.garcia@example.com");
  CHECK(scalar("SELECT promptsales_decrypt(name_encrypted, " + k + ", 'users.name') FROM users") ==
        "Ana García Pérez");
  // The MAC check in SQL, as documented.
  CHECK(scalar("SELECT hmac('users.email'::bytea || '\\x00'::bytea || substring(email_encrypted for "
               "octet_length(email_encrypted) - 32), hmac('promptsales column mac v1'::bytea, " + k +
               ", 'sha256'), 'sha256') = substring(email_encrypted from octet_length(email_encrypted) - 31) FROM "
               "users") == "t");
  CHECK(scalar("SELECT promptsales_key_id(" + k + ")") == key_a.id());

  // Another key: the SQL function refuses; raw decrypt_iv fails or yields garbage.
  const std::string wrong = "decode('" + kKeyHexB + "', 'hex')";
  CHECK_THROWS_WITH(scalar("SELECT promptsales_decrypt(email_encrypted, " + wrong + ", 'users.email') FROM users"),
                    Catch::Contains("failed verification"));
  CHECK_THROWS_WITH(scalar("SELECT promptsales_decrypt(email_encrypted, " + k + ", 'users.name') FROM users"),
                    Catch::Contains("failed verification"));
  std::string garbage;
  try {
    garbage = scalar("SELECT encode(decrypt_iv(substring(email_encrypted from 17 for octet_length(email_encrypted) - "
                     "48), " + wrong + ", substring(email_encrypted for 16), 'aes-cbc/pad:pkcs'), 'escape') FROM users");
  } catch (const std::exception&) {
    garbage = "(error)";
  }
  CHECK(garbage.find("ana.garcia") == std::string::npos);

  // Lookups: by subject and by email through the blind index.
  REQUIRE(users.find("auth0|ana"));
  CHECK(users.find("auth0|ana")->email == "ana.garcia@example.com");
  REQUIRE(users.find_by_email("  ANA.garcia@example.COM"));
  CHECK(users.find_by_email("ana.garcia@example.com")->subject == "auth0|ana");
  CHECK_FALSE(users.find_by_email("bob@example.com"));
  CHECK(users.list(org).size() == 1);
  CHECK(users.list(org + 1000).empty());
}

TEST_CASE_METHOD(DataFixture, "users: a changed ciphertext is rejected before decryption", "[data][users]") {
  const auto org = add_org("Acme");
  const crypto::Keyring ring(key_a);
  PgUsers users(*pool, &ring);
  users.register_user(ana(org));
  scalar("UPDATE users SET email_encrypted = set_byte(email_encrypted, 20, get_byte(email_encrypted, 20) # 1) "
         "RETURNING id");
  CHECK_THROWS_AS(users.find("auth0|ana"), crypto::IntegrityError);
  // Swapping two columns' values is caught too (the MAC names the column).
  scalar("UPDATE users SET email_encrypted = name_encrypted RETURNING id");
  CHECK_THROWS_AS(users.list(std::nullopt), crypto::IntegrityError);
  // Permissions need no key and still work.
  CHECK(users.granted_permissions("auth0|ana").has(Permission::campaigns_write));
}

TEST_CASE_METHOD(DataFixture, "users: effective permissions, grant, revoke and refusals", "[data][users]") {
  const auto org = add_org("Acme");
  const crypto::Keyring ring(key_a);
  PgUsers users(*pool, &ring);
  users.register_user(ana(org));

  auto p = users.granted_permissions("auth0|ana");
  CHECK(p == [] {
    auto s = *auth::permissions_of_role("marketer");
    s.add(Permission::leads_export);
    return s;
  }());
  CHECK_FALSE(p.has(Permission::users_admin));
  CHECK(users.granted_permissions("nobody").empty());

  auto u = users.grant("auth0|ana", {{"analyst"}, {"billing:admin"}});
  CHECK(u.roles == std::vector<std::string>{"marketer", "analyst"});
  CHECK(users.granted_permissions("auth0|ana").has(Permission::audit_read));
  CHECK(users.granted_permissions("auth0|ana").has(Permission::billing_admin));
  // Idempotent.
  CHECK(users.grant("auth0|ana", {{"analyst"}, {}}).roles.size() == 2);

  users.revoke("auth0|ana", {{"analyst", "marketer"}, {"leads:export"}});
  p = users.granted_permissions("auth0|ana");
  CHECK(p.has(Permission::billing_admin));
  CHECK_FALSE(p.has(Permission::campaigns_read));
  CHECK_FALSE(p.has(Permission::leads_export));

  CHECK_THROWS_WITH(users.grant("auth0|ana", {{}, {"campaigns:destroy"}}), Catch::Contains("campaigns:destroy"));
  CHECK_THROWS_AS(users.grant("auth0|ana", {{"superuser"}, {}}), ValidationError);
  CHECK_THROWS_AS(users.grant("auth0|ana", {{}, {"platform:admin"}}), ValidationError);
  CHECK_THROWS_AS(users.grant("nobody", {{"viewer"}, {}}), NotFound);

  // Disabled users and users of a disabled organization have nothing.
  users.set_disabled("auth0|ana", true);
  CHECK(users.granted_permissions("auth0|ana").empty());
  users.set_disabled("auth0|ana", false);
  CHECK_FALSE(users.granted_permissions("auth0|ana").empty());
  scalar("UPDATE organizations SET enabled = false RETURNING id");
  CHECK(users.granted_permissions("auth0|ana").empty());
}

TEST_CASE_METHOD(DataFixture, "users: registration refuses bad input and duplicates", "[data][users]") {
  const auto org = add_org("Acme");
  const crypto::Keyring ring(key_a);
  PgUsers users(*pool, &ring);
  users.register_user(ana(org));
  CHECK_THROWS_AS(users.register_user(ana(org)), Conflict);
  auto n = ana(org + 999);
  n.subject = "auth0|other";
  CHECK_THROWS_AS(users.register_user(n), NotFound);
  n = ana(org);
  n.subject = "auth0|x";
  n.email = "not-an-email";
  CHECK_THROWS_WITH(users.register_user(n), Catch::StartsWith("email"));
  n = ana(org);
  n.subject = "auth0|y";
  n.roles = {"root"};
  CHECK_THROWS_WITH(users.register_user(n), Catch::Contains("root"));
  n = ana(org);
  n.subject = "auth0|op";
  n.organization_id.reset();
  CHECK_THROWS_AS(users.register_user(n), ValidationError);
  n.platform_operator = true;
  const auto op = users.register_user(n);
  CHECK_FALSE(op.organization_id);
  CHECK(users.granted_permissions("auth0|op").has(Permission::platform_admin));
  CHECK(scalar("SELECT count(*) FROM users") == "2");
}

TEST_CASE_METHOD(DataFixture, "tenants: sensitive organization data is encrypted at rest", "[data][tenants]") {
  const crypto::Keyring ring(key_a);
  PgTenants tenants(*pool, ring);
  TenantSecrets s{"Acme Holdings Sociedad Limitada", "ESB12345678", "billing@acme.example", "cus_ABC123456"};
  const auto t = tenants.add("Acme", "ES", s);
  CHECK(t.secrets.tax_id == "ESB12345678");
  CHECK(tenants.get(t.id).secrets.legal_name == "Acme Holdings Sociedad Limitada");
  for (const std::string plain : {"ESB12345678", "Acme Holdings", "billing@acme", "cus_ABC123456"}) {
    CAPTURE(plain);
    CHECK(scalar("SELECT count(*) FROM organizations o WHERE position('" + plain + "' in o::text) > 0") == "0");
  }
  CHECK(scalar("SELECT promptsales_decrypt(tax_id_encrypted, decode('" + kKeyHexA +
               "', 'hex'), 'organizations.tax_id') FROM organizations") == "ESB12345678");
  // Without sensitive data there is nothing to encrypt and no key id.
  const auto plain = tenants.add("Plain", std::nullopt, {});
  CHECK_FALSE(plain.key_id);
  CHECK(tenants.list(10, 0).size() == 2);
  CHECK_THROWS_AS(tenants.get(999999), NotFound);
  CHECK_THROWS_AS(tenants.add("Bad", "es", {}), ValidationError);
}
