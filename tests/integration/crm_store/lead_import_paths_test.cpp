// The import's two write paths against a real CRM database: the fast one
// (an index probe, then COPY of the new leads straight into `leads`) and the
// fallback (the whole batch through INSERT ... ON CONFLICT) taken when
// another writer stores one of the batch's emails between the probe and the
// COPY. Both must end with the same rows, counts and errors in every
// on-duplicate mode. Also: the indexes migration 0004 leaves on leads.
#include <catch2/catch.hpp>

#include <chrono>
#include <future>
#include <set>
#include <thread>

#include "crm_fixture.hpp"
#include "promptsales/crm/lead_cipher.hpp"
#include "promptsales/crm/row_error_sink.hpp"

using namespace promptsales;
using namespace promptsales::test;
using crm::OnDuplicate;

namespace {

std::string hex(const std::optional<std::string>& raw) {
  if (!raw) return {};
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : *raw) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  return out;
}

/// Stores race@example.com for `org` in `tx` (committed or not by the caller).
void insert_stored_lead(pqxx::transaction_base& tx, const crm::LeadCipher& cipher, std::int64_t org) {
  crm::LeadInput in;
  in.organization_id = org;
  in.email = "race@example.com";
  in.name = "Stored";
  in.phone = "+34600000009";
  in.country = "ES";
  const auto enc = cipher.encrypt(in);
  tx.exec_params(
      "INSERT INTO leads (organization_id, email_hash, email_encrypted, name_encrypted, phone_encrypted, key_id, "
      "country) VALUES ($1, decode($2, 'hex'), decode($3, 'hex'), decode($4, 'hex'), decode($5, 'hex'), $6, 'ES')",
      org, hex(enc.email_hash), hex(enc.email), hex(enc.name), hex(enc.phone), cipher.key_id());
}

std::vector<crm::ReadRecord> file_for(std::int64_t org) {
  return {good(2, org, "a@example.com", "A"),
          good(3, org, "race@example.com", "Imported", [](crm::LeadInput& in) { in.country = "PE"; }),
          good(4, org, "b@example.com", "B")};
}

struct Result {
  crm::ImportSummary summary;
  std::vector<std::string> errors;  ///< "line code"
  std::vector<std::string> leads;   ///< snapshot()
};

Result finish(CrmInstallation& db, const crm::ImportSummary& s, const crm::MemoryRowErrorSink& sink,
              std::int64_t org) {
  Result r{s, {}, {}};
  for (const auto& e : sink.errors) r.errors.push_back(std::to_string(e.line) + " " + e.code);
  auto store = db.store();
  r.leads = snapshot(store, org);
  return r;
}

crm::ImportOptions options(std::int64_t org, OnDuplicate mode) {
  crm::ImportOptions o;
  o.organization_id = org;
  o.on_duplicate = mode;
  return o;
}

/// The stored lead is committed before the import starts: the probe finds it.
Result probe_path(CrmInstallation& db, const crm::LeadCipher& cipher, std::int64_t org, OnDuplicate mode) {
  {
    pqxx::connection c(db.crm_url);
    pqxx::work tx(c);
    insert_stored_lead(tx, cipher, org);
    tx.commit();
  }
  VectorSource source(file_for(org));
  crm::MemoryRowErrorSink sink;
  const auto s = db.importer().run(source, sink, options(org, mode));
  return finish(db, s, sink, org);
}

/// The stored lead is inserted by another transaction that is still open
/// when the import probes (so the probe cannot see it) and commits only once
/// the import's COPY into leads waits on its unique index entry: the COPY
/// then fails with a unique violation, deterministically.
Result race_path(CrmInstallation& db, const crm::LeadCipher& cipher, std::int64_t org, OnDuplicate mode) {
  pqxx::connection other(db.crm_url);
  pqxx::work held(other);
  insert_stored_lead(held, cipher, org);

  crm::MemoryRowErrorSink sink;
  auto import = std::async(std::launch::async, [&] {
    VectorSource source(file_for(org));
    return db.importer().run(source, sink, options(org, mode));
  });
  pqxx::connection watcher(db.crm_url);
  bool copy_waits = false;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!copy_waits && std::chrono::steady_clock::now() < until) {
    pqxx::nontransaction tx(watcher);
    copy_waits = tx.exec("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                         "AND query ~* '^COPY \"?leads\"? '")[0][0]
                     .as<int>() > 0;
    if (!copy_waits) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK(copy_waits);  // otherwise the race was not staged and the test proves nothing
  held.commit();
  const auto s = import.get();
  return finish(db, s, sink, org);
}

}  // namespace

TEST_CASE("crm_store: a lead stored concurrently between probe and COPY sends the batch through ON CONFLICT with the "
          "same result as the probe path",
          "[crm]") {
  const auto mode = GENERATE(OnDuplicate::skip, OnDuplicate::update, OnDuplicate::error);
  INFO("on-duplicate " << crm::to_string(mode));
  CrmInstallation db;
  pqxx::connection conn(db.crm_url);
  const crm::LeadCipher cipher(test_keyring(), crm::load_index_key(conn, test_keyring()));

  const auto probed = probe_path(db, cipher, 21, mode);
  const auto raced = race_path(db, cipher, 22, mode);

  CHECK(probed.summary.fallback_batches == 0);
  CHECK(raced.summary.fallback_batches == 1);
  CHECK(probed.summary.records == 3);
  CHECK(raced.summary.created == probed.summary.created);
  CHECK(raced.summary.updated == probed.summary.updated);
  CHECK(raced.summary.skipped == probed.summary.skipped);
  CHECK(raced.summary.failed == probed.summary.failed);
  CHECK(raced.errors == probed.errors);
  CHECK(raced.leads == probed.leads);
  // Nothing doubled on either path: one lead per email.
  CHECK(db.count("SELECT count(*) FROM leads WHERE organization_id = 21") == 3);
  CHECK(db.count("SELECT count(*) FROM leads WHERE organization_id = 22") == 3);

  auto store = db.store();
  const auto race = store.find_by_email(22, "race@example.com");
  REQUIRE(race);
  switch (mode) {
    case OnDuplicate::skip:
      CHECK(probed.summary.created == 2);
      CHECK(probed.summary.skipped == 1);
      CHECK(race->name == "Stored");
      break;
    case OnDuplicate::update:
      CHECK(probed.summary.created == 2);
      CHECK(probed.summary.updated == 1);
      CHECK(race->name == "Imported");
      CHECK(race->phone == "+34600000009");  // not in the file: kept
      CHECK(race->country == "PE");
      break;
    case OnDuplicate::error:
      CHECK(probed.summary.created == 2);
      CHECK(probed.summary.failed == 1);
      CHECK(probed.errors == std::vector<std::string>{"3 duplicate_email"});
      CHECK(race->name == "Stored");
      break;
  }
}

TEST_CASE("crm_store: a batch of only stored emails in update mode writes through ON CONFLICT without a fallback",
          "[crm]") {
  CrmInstallation db;
  const std::int64_t org = 23;
  auto o = options(org, OnDuplicate::update);
  o.batch_size = 2;
  crm::NullRowErrorSink none;
  {
    VectorSource first({good(2, org, "x@example.com", "X1"), good(3, org, "y@example.com", "Y1")});
    CHECK(db.importer().run(first, none, o).created == 2);
  }
  // Batch 1: both stored; batch 2: one stored, one new.
  VectorSource second({good(2, org, "y@example.com", "Y2"), good(3, org, "x@example.com", "X2"),
                       good(4, org, "z@example.com", "Z"), good(5, org, "x@example.com", "X3")});
  const auto s = db.importer().run(second, none, o);
  CHECK(s.fallback_batches == 0);
  CHECK(s.created == 1);
  CHECK(s.updated == 3);
  auto store = db.store();
  CHECK(store.find_by_email(org, "x@example.com")->name == "X3");
  CHECK(store.find_by_email(org, "y@example.com")->name == "Y2");
  CHECK(store.find_by_email(org, "z@example.com")->name == "Z");
  CHECK(db.count("SELECT count(*) FROM leads WHERE organization_id = 23") == 3);
}

TEST_CASE("crm_store: migration 0004 leaves leads with the indexes its queries use", "[crm]") {
  CrmInstallation db;
  pqxx::connection c(db.crm_url);
  pqxx::nontransaction tx(c);
  std::set<std::string> names;
  for (const auto& r : tx.exec("SELECT indexname FROM pg_indexes WHERE tablename = 'leads'")) {
    names.insert(r[0].as<std::string>());
  }
  CHECK(names == std::set<std::string>{"leads_pkey", "leads_one_per_email", "leads_org_campaign", "leads_org_id"});
  // The lead list's newest-first page of one organization reads leads_org_id
  // backwards (seq scans off: the test table is too small to need an index).
  tx.exec("SET enable_seqscan = off");
  std::string plan;
  for (const auto& r : tx.exec("EXPLAIN SELECT id FROM leads WHERE organization_id = 1 AND id > 0 "
                               "ORDER BY id DESC LIMIT 20")) {
    plan += r[0].as<std::string>() + "\n";
  }
  INFO(plan);
  CHECK(plan.find("Backward using leads_org_id") != std::string::npos);
}

TEST_CASE("crm_store: into a new organization batches COPY without probing until a repeat, then probe", "[crm]") {
  CrmInstallation db;
  const std::int64_t org = 24;
  auto o = options(org, OnDuplicate::error);
  o.batch_size = 2;
  // Batch 1 a, b; batch 2 repeats a (its COPY meets the constraint: the one
  // fallback); batch 3 repeats b (found by the probe: no fallback).
  VectorSource source({good(2, org, "a@example.com", "A"), good(3, org, "b@example.com", "B"),
                       good(4, org, "a@example.com", "A again"), good(5, org, "c@example.com", "C"),
                       good(6, org, "b@example.com", "B again"), good(7, org, "d@example.com", "D")});
  crm::MemoryRowErrorSink sink;
  const auto s = db.importer().run(source, sink, o);
  CHECK(s.fallback_batches == 1);
  CHECK(s.created == 4);
  CHECK(s.failed == 2);
  std::vector<std::string> errors;
  for (const auto& e : sink.errors) errors.push_back(std::to_string(e.line) + " " + e.code);
  CHECK(errors == std::vector<std::string>{"4 duplicate_email", "6 duplicate_email"});
  auto store = db.store();
  CHECK(store.find_by_email(org, "a@example.com")->name == "A");
  CHECK(store.find_by_email(org, "b@example.com")->name == "B");
  CHECK(db.count("SELECT count(*) FROM leads WHERE organization_id = 24") == 4);
}

TEST_CASE("crm_store: the probe looks each email up in the unique index even when statistics miss the organization",
          "[crm]") {
  // Statistics taken before the organization had leads (as during its first
  // big import) estimate it at one row: then an index on organization_id
  // alone looks as good as the unique index to the planner, and a probe that
  // used it would scan all of the organization's leads once per email.
  CrmInstallation db;
  const std::int64_t org = 25;
  {
    pqxx::connection c(db.crm_url);
    pqxx::nontransaction tx(c);
    tx.exec("ALTER TABLE leads SET (autovacuum_enabled = false)");
    tx.exec("INSERT INTO leads (organization_id, email_encrypted, email_hash, key_id) "
            "SELECT 1, '\\x00'::bytea, gen_random_bytes(32), '0000000000000000' FROM generate_series(1, 2000)");
    tx.exec("ANALYZE leads");
    tx.exec_params("INSERT INTO leads (organization_id, email_encrypted, email_hash, key_id) "
                   "SELECT $1, '\\x00'::bytea, gen_random_bytes(32), '0000000000000000' "
                   "FROM generate_series(1, 60000)",
                   org);
  }
  std::vector<crm::ReadRecord> records;
  for (std::size_t i = 0; i < 5000; ++i) records.push_back(good(i + 2, org, "p" + std::to_string(i) + "@example.com"));
  VectorSource source(std::move(records));
  crm::NullRowErrorSink none;
  const auto started = std::chrono::steady_clock::now();
  const auto s = db.importer().run(source, none, options(org, OnDuplicate::skip));
  const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  CHECK(s.created == 5000);
  CHECK(s.fallback_batches == 0);
  // One lookup per email takes well under a second here; scanning the
  // organization's 60,000 leads for each of 5,000 emails takes minutes.
  CHECK(seconds < 15);
}
