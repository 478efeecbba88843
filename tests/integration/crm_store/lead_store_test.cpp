// The CRM database, encryption at rest and the store's reads and updates.
#include <catch2/catch.hpp>

#include "crm_fixture.hpp"
#include "promptsales/common/errors.hpp"
#include "promptsales/crm/lead_key_rotation.hpp"
#include "promptsales/crm/row_error_sink.hpp"

using namespace promptsales;
using namespace promptsales::test;

namespace {

void import_people(CrmInstallation& db, std::int64_t org) {
  std::vector<crm::ReadRecord> v;
  v.push_back(good(2, org, "lucia.fernandez@example.com", "Lucia Fernandez", [](crm::LeadInput& in) {
    in.phone = "+34611222333";
    in.country = "ES";
    in.source = "facebook";
    in.interests = {"running", "shoes"};
    in.campaign_id = 42;
  }));
  v.push_back(good(3, org, "marco.rossi@example.com", "Marco Rossi", [](crm::LeadInput& in) {
    in.phone = "+39333444555";
    in.country = "IT";
    in.source = "web";
    in.status = crm::LeadStatus::contacted;
  }));
  VectorSource source(std::move(v));
  crm::NullRowErrorSink none;
  crm::ImportOptions o;
  o.organization_id = org;
  db.importer().run(source, none, o);
}

}  // namespace

TEST_CASE("crm_store: db migrate registers PromptCrm and creates its database", "[crm]") {
  CrmInstallation db;
  CHECK_THAT(db.crm_url, Catch::Contains("_crm"));
  CHECK(db.count("SELECT count(*) FROM pg_extension WHERE extname = 'pgcrypto'") == 1);
  CHECK(db.count("SELECT count(*) FROM information_schema.tables WHERE table_name IN "
                 "('leads', 'lead_events', 'lead_imports', 'lead_import_errors', 'index_keys')") == 5);
  pqxx::connection c(db.crm_url);
  pqxx::nontransaction tx(c);
  CHECK_THROWS_AS(tx.exec("INSERT INTO leads (organization_id, email_hash, email_encrypted, key_id, status) VALUES "
                          "(1, decode(repeat('00', 32), 'hex'), '\\x00', '0011223344556677', 'won')"),
                  pqxx::check_violation);
}

TEST_CASE("crm_store: personal data is not stored in plaintext and pgcrypto decrypts it with the key", "[crm]") {
  CrmInstallation db;
  import_people(db, 9);
  pqxx::connection c(db.crm_url);
  pqxx::nontransaction tx(c);
  // Every byte of every row, in any encoding, contains none of the secrets.
  for (const auto* secret : {"lucia", "Lucia", "fernandez", "611222333", "marco", "Rossi", "333444555"}) {
    INFO(secret);
    CHECK(tx.exec_params("SELECT count(*) FROM leads WHERE position(convert_to($1, 'UTF8') IN "
                         "coalesce(email_encrypted, '') || coalesce(name_encrypted, '') || "
                         "coalesce(phone_encrypted, '') || email_hash) > 0 OR leads::text ILIKE '%' || $1 || '%'",
                         std::string(secret))[0][0]
              .as<long long>() == 0);
  }
  const std::string key = std::string("decode('") + kTestKeyHex + "', 'hex')";
  const auto r = tx.exec(
      "SELECT promptsales_decrypt(email_encrypted, " + key + ", 'leads.email'), promptsales_decrypt(name_encrypted, " +
      key + ", 'leads.name'), promptsales_decrypt(phone_encrypted, " + key +
      ", 'leads.phone'), key_id = promptsales_key_id(" + key + ") FROM leads WHERE country = 'ES'");
  REQUIRE(r.size() == 1);
  CHECK(r[0][0].as<std::string>() == "lucia.fernandez@example.com");
  CHECK(r[0][1].as<std::string>() == "Lucia Fernandez");
  CHECK(r[0][2].as<std::string>() == "+34611222333");
  CHECK(r[0][3].as<bool>());
  // The blind index can be recomputed in SQL from the wrapped index key.
  CHECK(tx.exec("SELECT count(*) FROM leads, index_keys WHERE index_keys.name = 'leads.email' AND email_hash = "
                "hmac('lucia.fernandez@example.com', hmac('promptsales blind index v1:leads.email', "
                "decode(promptsales_decrypt(wrapped, " + key + ", 'crm.index_key'), 'hex'), 'sha256'), 'sha256')")[0][0]
            .as<long long>() == 1);
  // Another key is refused, not silently wrong.
  CHECK_THROWS(tx.exec(std::string("SELECT promptsales_decrypt(email_encrypted, decode('") + kOtherKeyHex +
                       "', 'hex'), 'leads.email') FROM leads"));
}

TEST_CASE("crm_store: find, list with filters, and update", "[crm]") {
  CrmInstallation db;
  import_people(db, 4);
  import_people(db, 5);
  auto store = db.store();
  const auto lucia = store.find_by_email(4, "lucia.fernandez@example.com");
  REQUIRE(lucia);
  CHECK(lucia->phone == "+34611222333");
  CHECK(lucia->interests == std::vector<std::string>{"running", "shoes"});
  CHECK(lucia->campaign_id == 42);
  CHECK_FALSE(store.find_by_email(4, "nobody@example.com"));
  CHECK(store.get(4, lucia->id).email == "lucia.fernandez@example.com");
  CHECK_THROWS_AS(store.get(5, lucia->id), NotFound);  // another organization's lead

  crm::LeadFilter f;
  f.organization_id = 4;
  CHECK(store.list(f).size() == 2);
  f.country = "IT";
  REQUIRE(store.list(f).size() == 1);
  CHECK(store.list(f)[0].email == "marco.rossi@example.com");
  f.country.reset();
  f.status = crm::LeadStatus::contacted;
  CHECK(store.list(f).size() == 1);
  f.status.reset();
  f.source = "facebook";
  f.campaign_id = 42;
  CHECK(store.list(f).size() == 1);
  f = {};
  f.organization_id = 4;
  f.limit = 1;
  const auto first = store.list(f);
  REQUIRE(first.size() == 1);
  f.after_id = first[0].id;
  const auto second = store.list(f);
  REQUIRE(second.size() == 1);
  CHECK(second[0].id > first[0].id);

  crm::LeadUpdate u;
  u.status = crm::LeadStatus::qualified;
  u.score = 80;
  u.name = "Lucia F.";
  const auto updated = store.update(4, lucia->id, u);
  CHECK(updated.status == crm::LeadStatus::qualified);
  CHECK(updated.score == 80);
  CHECK(updated.name == "Lucia F.");
  CHECK(updated.phone == "+34611222333");
  f = {};
  f.organization_id = 4;
  f.min_score = 50;
  CHECK(store.list(f).size() == 1);
  u = {};
  u.score = 101;
  CHECK_THROWS_AS(store.update(4, lucia->id, u), ValidationError);
  CHECK_THROWS_AS(store.update(5, lucia->id, crm::LeadUpdate{}), NotFound);
}

TEST_CASE("crm_store: rotating the data key re-encrypts leads and keeps the blind index, so dedup still holds",
          "[crm]") {
  CrmInstallation db;
  import_people(db, 6);
  const long long hashes_before = db.count("SELECT sum(get_byte(email_hash, 0) + get_byte(email_hash, 31)) FROM leads");
  const auto old_key = crypto::DataKey::from_hex(kTestKeyHex, "test");
  const auto new_key = crypto::DataKey::from_hex(kOtherKeyHex, "test");
  crypto::RotationOptions ro;
  ro.batch_size = 1;
  std::int64_t batches = 0;
  const auto t = crm::rotate_lead_keys(*db.pool, crypto::Keyring(old_key), new_key, ro, batches);
  CHECK(t.rotated == 2);
  CHECK(t.remaining == 0);
  CHECK(batches == 2);
  CHECK(db.count("SELECT count(*) FROM leads WHERE key_id = '" + new_key.id() + "'") == 2);
  CHECK(db.count("SELECT count(*) FROM index_keys WHERE key_id = '" + new_key.id() + "'") == 1);
  CHECK(db.count("SELECT sum(get_byte(email_hash, 0) + get_byte(email_hash, 31)) FROM leads") == hashes_before);

  // Only the new key now: reads work and an import of the same people doubles nothing.
  db.pool->drop_idle();
  crm::PgLeadStore store(*db.pool, crypto::Keyring(new_key));
  const auto lucia = store.find_by_email(6, "lucia.fernandez@example.com");
  REQUIRE(lucia);
  CHECK(lucia->name == "Lucia Fernandez");
  crm::LeadImporter importer(*db.pool, crypto::Keyring(new_key));
  VectorSource again({good(2, 6, "lucia.fernandez@example.com", "Lucia")});
  crm::NullRowErrorSink none;
  crm::ImportOptions o;
  o.organization_id = 6;
  const auto s = importer.run(again, none, o);
  CHECK(s.skipped == 1);
  CHECK(db.count("SELECT count(*) FROM leads") == 2);
  // The old key alone can no longer read the index key.
  crm::PgLeadStore stale(*db.pool, crypto::Keyring(old_key));
  CHECK_THROWS_AS(stale.find_by_email(6, "lucia.fernandez@example.com"), ConfigError);
}
