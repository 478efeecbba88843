// Every value an import writes reads back, in SQL, as the file gave it:
// through the fast path (binary COPY straight into leads) and through the
// ON CONFLICT path (binary COPY into the staging table), including NULLs,
// empty and awkward interests, dates at the edges and consent timestamps.
// The encrypted columns are read with pgcrypto, as an operator would.
#include <catch2/catch.hpp>

#include <map>

#include "crm_fixture.hpp"
#include "promptsales/common/errors.hpp"
#include "promptsales/crm/row_error_sink.hpp"

using namespace promptsales;
using namespace promptsales::test;

namespace {

std::vector<crm::ReadRecord> records(std::int64_t org) {
  return {
      good(2, org, "full@example.com", "Ñandú O'Brien \"q\" \\ x",
           [](crm::LeadInput& in) {
             in.phone = "+34600111222";
             in.source = "web";
             in.country = "ES";
             in.city = "São Paulo, \"centro\"";
             in.interests = {"a,b", "back\\slash", "quote\"d", "{brace}", "ñandú"};
             in.birth_date = "1900-01-01";
             in.consents = {true, false, true, "2024-02-29T23:59:59.123Z"};
             in.status = crm::LeadStatus::qualified;
             in.campaign_id = 9007199254740993LL;
           }),
      good(3, org, "minimal@example.com"),
      good(4, org, "leap@example.com", std::nullopt,
           [](crm::LeadInput& in) {
             in.birth_date = "2000-02-29";
             in.consents = {false, true, false, "1970-01-01T00:00:00.000Z"};
           }),
      good(5, org, "aged@example.com", "Aged", [](crm::LeadInput& in) { in.age = 130; }),
      // A source that did not normalise its timestamp (validation always does).
      good(6, org, "offset@example.com", std::nullopt,
           [](crm::LeadInput& in) { in.consents = {true, false, false, "2024-05-01T12:00:00+02:00"}; }),
  };
}

const std::map<std::string, std::string> kExpected = {
    {"full@example.com",
     "Ñandú O'Brien \"q\" \\ x|+34600111222|web|ES|São Paulo, \"centro\"|"
     "{\"a,b\",\"back\\\\slash\",\"quote\\\"d\",\"{brace}\",ñandú}|1900-01-01|NULL|t|f|t|"
     "2024-02-29 23:59:59.123|qualified|9007199254740993"},
    {"minimal@example.com", "NULL|NULL|NULL|NULL|NULL|{}|NULL|NULL|f|f|f|NULL|new|NULL"},
    {"leap@example.com", "NULL|NULL|NULL|NULL|NULL|{}|2000-02-29|NULL|f|t|f|1970-01-01 00:00:00.000|new|NULL"},
    {"aged@example.com", "Aged|NULL|NULL|NULL|NULL|{}|NULL|130|f|f|f|NULL|new|NULL"},
    {"offset@example.com", "NULL|NULL|NULL|NULL|NULL|{}|NULL|NULL|t|f|f|2024-05-01 10:00:00.000|new|NULL"},
};

/// email -> every other column, as text, decrypted with pgcrypto.
std::map<std::string, std::string> stored(CrmInstallation& db, std::int64_t org) {
  pqxx::connection c(db.crm_url);
  pqxx::nontransaction tx(c);
  const std::string key = std::string("decode('") + kTestKeyHex + "', 'hex')";
  std::map<std::string, std::string> out;
  for (const auto& r : tx.exec_params(
           "SELECT promptsales_decrypt(email_encrypted, " + key + ", 'leads.email'), "
           "promptsales_decrypt(name_encrypted, " + key + ", 'leads.name'), "
           "promptsales_decrypt(phone_encrypted, " + key + ", 'leads.phone'), source, country, city, "
           "interests::text, birth_date::text, age, consent_email, consent_sms, consent_phone, "
           "to_char(consent_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS'), status, campaign_id "
           "FROM leads WHERE organization_id = $1",
           org)) {
    std::string rest;
    for (pqxx::row::size_type i = 1; i < r.size(); ++i) {
      if (i > 1) rest += "|";
      rest += r[i].is_null() ? std::string("NULL") : r[i].as<std::string>();
    }
    out[r[0].as<std::string>()] = rest;
  }
  return out;
}

}  // namespace

TEST_CASE("crm_store: every value an import writes reads back as given, through COPY and through ON CONFLICT",
          "[crm]") {
  CrmInstallation db;
  crm::MemoryRowErrorSink sink;

  // A new organization: the rows go straight into leads.
  VectorSource fresh(records(71));
  crm::ImportOptions o;
  o.organization_id = 71;
  const auto first = db.importer().run(fresh, sink, o);
  CHECK(first.created == 5);
  CHECK(first.fallback_batches == 0);
  CHECK(stored(db, 71) == kExpected);

  // The same file in update mode over different stored values: every row
  // goes through the staging table and ON CONFLICT DO UPDATE.
  const auto org = 72;
  std::vector<crm::ReadRecord> before;
  for (const auto& email :
       {"full@example.com", "minimal@example.com", "leap@example.com", "aged@example.com", "offset@example.com"}) {
    before.push_back(good(before.size() + 2, org, email, "Old", [](crm::LeadInput& in) {
      in.phone = "+34699999999";
      in.country = "MX";
      in.consents.given_at = "2020-01-01T00:00:00.000Z";
    }));
  }
  VectorSource old_rows(before);
  o.organization_id = org;
  REQUIRE(db.importer().run(old_rows, sink, o).created == 5);
  VectorSource again(records(org));
  o.on_duplicate = crm::OnDuplicate::update;
  const auto second = db.importer().run(again, sink, o);
  CHECK(second.updated == 5);
  // Absent fields keep the stored values (name, phone, country, consent_at
  // of the rows that do not give them); given ones replace them.
  auto expected = kExpected;
  expected["minimal@example.com"] =
      "Old|+34699999999|NULL|MX|NULL|{}|NULL|NULL|f|f|f|2020-01-01 00:00:00.000|new|NULL";
  expected["leap@example.com"] =
      "Old|+34699999999|NULL|MX|NULL|{}|2000-02-29|NULL|f|t|f|1970-01-01 00:00:00.000|new|NULL";
  expected["aged@example.com"] = "Aged|+34699999999|NULL|MX|NULL|{}|NULL|130|f|f|f|2020-01-01 00:00:00.000|new|NULL";
  expected["offset@example.com"] =
      "Old|+34699999999|NULL|MX|NULL|{}|NULL|NULL|t|f|f|2024-05-01 10:00:00.000|new|NULL";
  CHECK(stored(db, org) == expected);
  CHECK(sink.errors.empty());
}

TEST_CASE("crm_store: a source's malformed date or timestamp is refused by name and stores nothing", "[crm]") {
  CrmInstallation db;
  crm::MemoryRowErrorSink sink;
  crm::ImportOptions o;
  o.organization_id = 73;
  VectorSource bad_date({good(2, 73, "ok@example.com"),
                         good(3, 73, "slash@example.com", std::nullopt,
                              [](crm::LeadInput& in) { in.birth_date = "1990/01/01"; })});
  try {
    db.importer().run(bad_date, sink, o);
    FAIL("a malformed birth date was imported");
  } catch (const promptsales::ValidationError& e) {
    CHECK(std::string(e.what()).find("1990/01/01") != std::string::npos);
  }
  VectorSource bad_time({good(2, 73, "ok@example.com"), good(3, 73, "when@example.com", std::nullopt, [](crm::LeadInput& in) {
                           in.consents.given_at = "yesterday";
                         })});
  CHECK_THROWS_AS(db.importer().run(bad_time, sink, o), promptsales::ValidationError);
  CHECK(db.count("SELECT count(*) FROM leads WHERE organization_id = 73") == 0);
}
