// Key rotation against the real PostgreSQL: every row moves to the new key,
// an interrupted rotation resumes, and reads work in the middle of it.
#include <catch2/catch.hpp>

#include "data_fixture.hpp"
#include "promptsales/common/crypto/key_rotation.hpp"
#include "promptsales/common/errors.hpp"
#include "promptsales/common/tenants.hpp"
#include "promptsales/common/users.hpp"

using namespace promptsales;
using namespace promptsales::test;

namespace {

void populate(db::Pool& pool, const crypto::Keyring& ring, std::int64_t org, int n) {
  PgUsers users(pool, &ring);
  for (int i = 0; i < n; ++i) {
    users.register_user({"sub-" + std::to_string(i), "user" + std::to_string(i) + "@example.com",
                         "User Number " + std::to_string(i), org, {"viewer"}, {}, false});
  }
  PgTenants tenants(pool, ring);
  for (int i = 0; i < 3; ++i) tenants.add("Org " + std::to_string(i), "ES", {"Legal " + std::to_string(i), "TAX" + std::to_string(i), std::nullopt, std::nullopt});
}

}  // namespace

TEST_CASE_METHOD(DataFixture, "key rotation: resumable, skips rotated rows, reads work throughout",
                 "[data][rotation]") {
  const auto org = add_org("Acme");
  const crypto::Keyring old_ring(key_a);
  populate(*pool, old_ring, org, 23);

  crypto::RotationOptions dry;
  dry.dry_run = true;
  auto r = crypto::rotate_keys(*pool, old_ring, key_b, dry);
  CHECK(r.dry_run);
  CHECK_FALSE(r.complete);
  REQUIRE(r.tables.size() == 2);
  CHECK(r.tables[0].table == "users");
  CHECK(r.tables[0].remaining == 23);
  CHECK(r.tables[0].remaining_by_key.at(key_a.id()) == 23);
  CHECK(r.tables[1].remaining == 3);  // Acme has no sensitive data, so no key
  CHECK(scalar("SELECT count(*) FROM users WHERE key_id = '" + key_b.id() + "'") == "0");

  // Interrupted: two batches of five.
  crypto::RotationOptions partial;
  partial.batch_size = 5;
  partial.max_batches = 2;
  int progress_calls = 0;
  partial.on_progress = [&](const crypto::RotationProgress&) { ++progress_calls; };
  r = crypto::rotate_keys(*pool, old_ring, key_b, partial);
  CHECK_FALSE(r.complete);
  CHECK(r.batches == 2);
  CHECK(progress_calls == 2);
  CHECK(r.tables[0].rotated == 10);
  CHECK(r.tables[0].remaining == 13);
  CHECK(scalar("SELECT count(*) FROM users WHERE key_id = '" + key_b.id() + "'") == "10");

  // Mid-rotation, a reader holding both keys reads every row, and finds by email on either key.
  const crypto::Keyring both(key_a, {key_b});
  PgUsers readers(*pool, &both);
  const auto all = readers.list(org);
  REQUIRE(all.size() == 23);
  CHECK(all[0].key_id == key_b.id());
  CHECK(all[22].key_id == key_a.id());
  CHECK(all[22].email == "user22@example.com");
  REQUIRE(readers.find_by_email("user0@example.com"));
  REQUIRE(readers.find_by_email("user22@example.com"));
  // A reader with only the old key cannot read the rotated rows, and says why.
  CHECK_THROWS_WITH(PgUsers(*pool, &old_ring).list(org), Catch::Contains(key_b.id()));

  // The re-run continues where it stopped and skips rotated rows.
  crypto::RotationOptions rest;
  rest.batch_size = 5;
  r = crypto::rotate_keys(*pool, old_ring, key_b, rest);
  CHECK(r.complete);
  CHECK(r.tables[0].rotated == 13);
  CHECK(scalar("SELECT count(*) FROM users WHERE key_id <> '" + key_b.id() + "'") == "0");
  CHECK(scalar("SELECT count(*) FROM organizations WHERE key_id IS NOT NULL AND key_id <> '" + key_b.id() + "'") ==
        "0");

  // Only the new key is needed now; the blind index moved too.
  const crypto::Keyring new_ring(key_b);
  PgUsers after(*pool, &new_ring);
  CHECK(after.list(org).size() == 23);
  REQUIRE(after.find_by_email("user7@example.com"));
  CHECK(after.find_by_email("user7@example.com")->name == "User Number 7");
  CHECK(PgTenants(*pool, new_ring).list(10, 0).at(1).secrets.tax_id == "TAX0");
  CHECK(scalar("SELECT promptsales_decrypt(email_encrypted, decode('" + kKeyHexB +
               "', 'hex'), 'users.email') FROM users WHERE subject = 'sub-3'") == "user3@example.com");

  // Nothing left: a third run changes nothing.
  r = crypto::rotate_keys(*pool, old_ring, key_b, rest);
  CHECK(r.complete);
  CHECK(r.batches == 0);
}

TEST_CASE_METHOD(DataFixture, "key rotation: a row on an unknown key stops it with the row named",
                 "[data][rotation]") {
  const auto org = add_org("Acme");
  populate(*pool, crypto::Keyring(key_a), org, 2);
  const auto key_c = crypto::DataKey::from_hex(std::string(64, '7'), "c");
  CHECK_THROWS_WITH(crypto::rotate_keys(*pool, crypto::Keyring(key_c), key_b, {}),
                    Catch::Contains("users row") && Catch::Contains(key_a.id()));
  CHECK(scalar("SELECT count(*) FROM users WHERE key_id = '" + key_b.id() + "'") == "0");
}
