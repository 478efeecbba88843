// GDPR/CCPA: a subject's export across organizations, erasure in the raw
// table, and the lead export's CSV/JSONL.
#include <sstream>

#include <catch2/catch.hpp>

#include "crm_fixture.hpp"
#include "promptsales/common/errors.hpp"
#include "promptsales/crm/lead_privacy.hpp"
#include "promptsales/crm/row_error_sink.hpp"

using namespace promptsales;
using namespace promptsales::test;

namespace {

void import_into(CrmInstallation& db, std::int64_t org, std::vector<crm::ReadRecord> v) {
  VectorSource source(std::move(v));
  crm::NullRowErrorSink none;
  crm::ImportOptions o;
  o.organization_id = org;
  db.importer().run(source, none, o);
}

void seed(CrmInstallation& db) {
  auto ana = [](std::int64_t org) {
    return good(2, org, "ana.lopez@example.com", "Ana López", [](crm::LeadInput& in) {
      in.phone = "+34611000111";
      in.country = "ES";
      in.city = "Sevilla";
      in.source = "facebook";
      in.interests = {"yoga"};
      in.birth_date = "1990-04-01";
      in.consents.email = true;
      in.campaign_id = 7;
      in.status = crm::LeadStatus::qualified;
    });
  };
  import_into(db, 1, {ana(1), good(3, 1, "otro@example.com", "Otro", [](crm::LeadInput& in) { in.country = "ES"; })});
  import_into(db, 2, {ana(2)});
  pqxx::connection c(db.crm_url);
  pqxx::work tx(c);
  tx.exec("INSERT INTO lead_events (lead_id, organization_id, kind, metadata) SELECT id, organization_id, 'opened', "
          "'{\"ip\": \"203.0.113.9\"}' FROM leads");
  tx.exec("INSERT INTO audience_members (audience_id, lead_id) SELECT 40 + organization_id, id FROM leads");
  tx.commit();
}

}  // namespace

TEST_CASE("crm_store: export_subject returns the person's decrypted leads of every organization", "[crm][privacy]") {
  CrmInstallation db;
  seed(db);
  crm::LeadPrivacy privacy(*db.pool, test_keyring());
  const auto all = privacy.export_subject("  Ana.Lopez@EXAMPLE.com ", std::nullopt);
  REQUIRE(all.leads.size() == 2);
  CHECK(all.subject.size() == 16);
  CHECK(all.leads[0].lead.organization_id == 1);
  CHECK(all.leads[1].lead.organization_id == 2);
  for (const auto& s : all.leads) {
    CHECK(s.lead.email == "ana.lopez@example.com");
    CHECK(s.lead.name == "Ana López");
    CHECK(s.lead.phone == "+34611000111");
    REQUIRE(s.events.size() == 1);
    CHECK(s.events[0].kind == "opened");
    CHECK(s.events[0].metadata.at("ip") == "203.0.113.9");
    CHECK(s.audience_ids == std::vector<std::int64_t>{40 + s.lead.organization_id});
  }
  const auto one = privacy.export_subject("ana.lopez@example.com", 2);
  REQUIRE(one.leads.size() == 1);
  CHECK(one.leads[0].lead.organization_id == 2);
  CHECK_THROWS_AS(privacy.export_subject("nadie@example.com", std::nullopt), NotFound);
  CHECK_THROWS_AS(privacy.export_subject("not an email", std::nullopt), ValidationError);
}

TEST_CASE("crm_store: forget erases every personal column, keeps the counts, and a second forget is NotFound",
          "[crm][privacy]") {
  CrmInstallation db;
  seed(db);
  crm::LeadPrivacy privacy(*db.pool, test_keyring());
  const auto before_hash = db.count("SELECT count(DISTINCT email_hash) FROM leads");

  // Dry run: reports, changes nothing.
  const auto dry = privacy.forget("ana.lopez@example.com", std::nullopt, true);
  CHECK(dry.dry_run);
  CHECK(dry.lead_ids.size() == 2);
  CHECK(dry.events_cleared == 2);
  CHECK(dry.memberships_removed == 2);
  CHECK(db.count("SELECT count(*) FROM leads WHERE forgotten_at IS NOT NULL") == 0);
  CHECK(db.count("SELECT count(*) FROM audience_members") == 3);

  // Only organization 1.
  const auto r1 = privacy.forget("ana.lopez@example.com", 1, false);
  REQUIRE(r1.lead_ids.size() == 1);
  CHECK(db.count("SELECT count(*) FROM leads WHERE forgotten_at IS NOT NULL") == 1);
  CHECK(privacy.export_subject("ana.lopez@example.com", std::nullopt).leads.size() == 1);

  const auto r2 = privacy.forget("ana.lopez@example.com", std::nullopt, false);
  REQUIRE(r2.lead_ids.size() == 1);
  CHECK(r2.subject == r1.subject);

  // The raw rows: every personal column NULL (or cleared), the rest kept.
  pqxx::connection c(db.crm_url);
  pqxx::nontransaction tx(c);
  const auto rows = tx.exec(
      "SELECT email_encrypted IS NULL, name_encrypted IS NULL, phone_encrypted IS NULL, city IS NULL, "
      "birth_date IS NULL, age IS NULL, interests = '{}', NOT (consent_email OR consent_sms OR consent_phone), "
      "consent_at IS NULL, country, source, status, campaign_id, octet_length(email_hash) "
      "FROM leads WHERE forgotten_at IS NOT NULL ORDER BY id");
  REQUIRE(rows.size() == 2);
  for (const auto& row : rows) {
    for (int i = 0; i <= 8; ++i) {
      INFO("column " << i);
      CHECK(row[i].as<bool>());
    }
    CHECK(row[9].as<std::string>() == "ES");
    CHECK(row[10].as<std::string>() == "facebook");
    CHECK(row[11].as<std::string>() == "qualified");
    CHECK(row[12].as<long long>() == 7);
    CHECK(row[13].as<int>() == 32);
  }
  // The blind index no longer finds the person; the other lead is untouched.
  auto store = db.store();
  CHECK_FALSE(store.find_by_email(1, "ana.lopez@example.com"));
  CHECK_FALSE(store.find_by_email(2, "ana.lopez@example.com"));
  CHECK(store.find_by_email(1, "otro@example.com"));
  CHECK(db.count("SELECT count(DISTINCT email_hash) FROM leads") == before_hash + 1);  // two random hashes now
  // Counts by country and status survive; events stay as anonymous counts.
  CHECK(db.count("SELECT count(*) FROM leads WHERE country = 'ES'") == 3);
  CHECK(db.count("SELECT count(*) FROM leads WHERE status = 'qualified'") == 2);
  CHECK(db.count("SELECT count(*) FROM lead_events WHERE kind = 'opened'") == 3);
  CHECK(db.count("SELECT count(*) FROM lead_events WHERE metadata <> '{}'::jsonb") == 1);
  CHECK(db.count("SELECT count(*) FROM audience_members") == 1);
  // Reads of a forgotten lead do not crash on the NULLs.
  const auto gone = store.get(1, r1.lead_ids[0]);
  CHECK(gone.forgotten);
  CHECK(gone.email.empty());
  CHECK_FALSE(gone.name);
  CHECK(crm::lead_to_json(gone).at("email").is_null());

  CHECK_THROWS_AS(privacy.forget("ana.lopez@example.com", std::nullopt, false), NotFound);
  CHECK_THROWS_AS(privacy.forget("ana.lopez@example.com", std::nullopt, true), NotFound);
  CHECK_THROWS_AS(privacy.export_subject("ana.lopez@example.com", std::nullopt), NotFound);

  // A new import of the email is a new lead; the forgotten row stays erased.
  import_into(db, 1, {good(2, 1, "ana.lopez@example.com", "Ana")});
  CHECK(db.count("SELECT count(*) FROM leads WHERE organization_id = 1") == 3);
  const auto again = privacy.export_subject("ana.lopez@example.com", 1);
  REQUIRE(again.leads.size() == 1);
  CHECK(again.leads[0].lead.id != r1.lead_ids[0]);
}

TEST_CASE("crm_store: export_leads pages through an organization as CSV or JSONL", "[crm][privacy]") {
  CrmInstallation db;
  std::vector<crm::ReadRecord> v;
  for (int i = 0; i < 25; ++i) v.push_back(good(2 + i, 3, "p" + std::to_string(i) + "@example.com", "P " + std::to_string(i)));
  v.push_back(good(30, 3, "=cmd@example.com", "=HYPERLINK(\"x\"), \"y\""));
  import_into(db, 3, std::move(v));
  crm::LeadPrivacy privacy(*db.pool, test_keyring());
  privacy.forget("p0@example.com", 3, false);
  auto store = db.store();
  crm::LeadFilter f;
  f.organization_id = 3;
  f.limit = 7;  // several pages
  std::ostringstream csv;
  CHECK(crm::export_leads(store, f, crm::LeadExportFormat::csv, csv) == 25);
  const auto text = csv.str();
  CHECK(text.rfind("id,email,name,phone,", 0) == 0);
  CHECK(text.find("p0@example.com") == std::string::npos);
  CHECK(text.find(",p24@example.com,P 24,") != std::string::npos);
  CHECK(text.find(",'=cmd@example.com,\"'=HYPERLINK(\"\"x\"\"), \"\"y\"\"\",") != std::string::npos);
  std::ostringstream jsonl;
  CHECK(crm::export_leads(store, f, crm::LeadExportFormat::jsonl, jsonl) == 25);
  std::istringstream lines(jsonl.str());
  std::string line;
  int n = 0;
  while (std::getline(lines, line)) {
    CHECK(nlohmann::json::parse(line).at("organizationId") == 3);
    ++n;
  }
  CHECK(n == 25);
}
