// Lead events (single, bulk, tenancy) and the stored score recompute,
// checked against the pure model computed here from hand-made facts.
#include <fstream>

#include <catch2/catch.hpp>

#include "crm_fixture.hpp"
#include "promptsales/common/errors.hpp"
#include "promptsales/crm/lead_events.hpp"
#include "promptsales/crm/lead_score_recompute.hpp"
#include "temp_dir.hpp"

using namespace promptsales;
using namespace promptsales::test;

namespace {

crm::LeadInput person(std::int64_t org, const std::string& email) {
  crm::LeadInput in;
  in.organization_id = org;
  in.email = email;
  return in;
}

crm::ScoringClock::time_point epoch(double s) {
  return crm::ScoringClock::time_point(
      std::chrono::duration_cast<crm::ScoringClock::duration>(std::chrono::duration<double>(s)));
}

double epoch_of(CrmInstallation& db, const std::string& sql) {
  pqxx::connection c(db.crm_url);
  pqxx::nontransaction tx(c);
  return tx.exec(sql)[0][0].as<double>();
}

crm::EngagementFacts events_of(CrmInstallation& db, std::int64_t lead) {
  pqxx::connection c(db.crm_url);
  pqxx::nontransaction tx(c);
  crm::EngagementFacts e;
  for (const auto& r : tx.exec_params(
           "SELECT kind, extract(epoch FROM occurred_at)::float8 FROM lead_events WHERE lead_id = $1", lead))
    e.events.push_back({r[0].as<std::string>(), epoch(r[1].as<double>())});
  return e;
}

}  // namespace

TEST_CASE("crm_store: events are added singly and in bulk, only to the organization's leads", "[crm][scoring]") {
  CrmInstallation db;
  auto store = db.store();
  const auto ana = store.create(person(7, "ana@example.com"));
  const auto ben = store.create(person(7, "ben@example.com"));
  const auto other = store.create(person(8, "carl@example.com"));
  crm::PgLeadEventStore events(*db.pool, test_keyring());

  crm::LeadEventInput ev;
  ev.lead_id = ana.id;
  ev.kind = "email.opened";
  ev.occurred_at = "2024-05-01T10:00:00Z";
  ev.metadata = R"({"campaign": 3})";
  CHECK(events.add(7, ev) > 0);
  CHECK(epoch_of(db, "SELECT extract(epoch FROM occurred_at)::float8 FROM lead_events") == 1714557600.0);

  ev.lead_id = other.id;  // organization 8's lead
  CHECK_THROWS_AS(events.add(7, ev), NotFound);
  ev.lead_id = ana.id;
  ev.kind = "Email Opened";
  CHECK_THROWS_WITH(events.add(7, ev), Catch::Contains("kind"));
  ev.kind = "email.opened";
  ev.occurred_at = "2024-02-30";
  CHECK_THROWS_WITH(events.add(7, ev), Catch::Contains("occurred_at"));
  ev.occurred_at = "";
  ev.metadata = "[1]";
  CHECK_THROWS_WITH(events.add(7, ev), Catch::Contains("metadata"));
  CHECK(db.count("SELECT count(*) FROM lead_events") == 1);

  TempDir dir;
  const auto csv = (dir.path() / "events.csv").string();
  std::ofstream(csv) << "lead_id,email,kind,occurred_at,metadata\n"
                     << ana.id << ",,email.clicked,2024-05-02T08:00:00+02:00,\n"  // line 2
                     << ",BEN@example.com,form.submitted,2024-05-03,\"{\"\"form\"\": \"\"demo\"\"}\"\n"  // 3
                     << other.id << ",,email.opened,,\n"                            // 4: another organization
                     << ",nobody@example.com,email.opened,,\n"                      // 5: unknown email
                     << ana.id << ",,Bad-Kind,,\n"                                   // 6
                     << ana.id << ",,email.opened,yesterday,\n";                     // 7
  crm::MemoryRowErrorSink errors;
  auto reader = crm::open_event_file(csv, "");
  const auto s = events.import(7, *reader, errors, 2);
  CHECK(s.records == 6);
  CHECK(s.added == 2);
  CHECK(s.failed == 4);
  REQUIRE(errors.errors.size() == 4);
  std::vector<std::pair<std::size_t, std::string>> got;
  for (const auto& e : errors.errors) got.emplace_back(e.line, e.code);
  std::sort(got.begin(), got.end());
  CHECK(got == std::vector<std::pair<std::size_t, std::string>>{
                   {4, "unknown_lead"}, {5, "unknown_lead"}, {6, "invalid_kind"}, {7, "invalid_time"}});
  CHECK(db.count("SELECT count(*) FROM lead_events WHERE lead_id = " + std::to_string(ben.id) +
                 " AND metadata->>'form' = 'demo'") == 1);
  CHECK(db.count("SELECT count(*) FROM lead_events WHERE lead_id = " + std::to_string(other.id)) == 0);

  const auto jsonl = (dir.path() / "events.jsonl").string();
  std::ofstream(jsonl) << R"({"email": "ana@example.com", "kind": "meeting.booked", "metadata": {"x": 1}})" << "\n"
                       << R"({"lead_id": "x", "kind": "a"})" << "\n"
                       << "not json\n";
  crm::MemoryRowErrorSink jerrors;
  auto jreader = crm::open_event_file(jsonl, "");
  const auto js = events.import(7, *jreader, jerrors);
  CHECK(js.added == 1);
  CHECK(js.failed == 2);
}

TEST_CASE("crm_store: recomputed scores match the model and a second run changes nothing", "[crm][scoring]") {
  CrmInstallation db;
  auto store = db.store();
  auto full = person(7, "full@example.com");
  full.name = "Full Person";
  full.phone = "+34611222333";
  full.country = "ES";
  full.city = "Madrid";
  full.interests = {"running"};
  full.age = 30;
  full.consents.email = true;
  full.source = "referral";
  const auto a = store.create(full);
  auto bare = person(7, "bare@example.com");
  bare.source = "facebook";
  const auto b = store.create(bare);
  const auto c = store.create(person(7, "quiet@example.com"));
  const auto foreign = store.create(person(9, "foreign@example.com"));

  crm::PgLeadEventStore events(*db.pool, test_keyring());
  auto add = [&](std::int64_t lead, const std::string& kind, const std::string& at) {
    crm::LeadEventInput ev;
    ev.lead_id = lead;
    ev.kind = kind;
    ev.occurred_at = at;
    events.add(7, ev);
  };
  add(a.id, "email.clicked", "2024-05-20T00:00:00Z");
  add(a.id, "meeting.booked", "2024-05-28T12:00:00Z");
  add(b.id, "email.opened", "2024-01-01");
  add(b.id, "custom.thing", "2024-05-30T00:00:00Z");

  crm::ScoreRecomputeOptions o;
  o.organization_id = 7;
  o.batch_size = 2;  // several batches
  o.now = epoch(1717200000);  // 2024-06-01T00:00:00Z
  const auto w = crm::ScoringWeights::defaults();
  const auto first = crm::recompute_scores(*db.pool, w, o);
  CHECK(first.leads == 3);

  auto created = [&](std::int64_t id) {
    return epoch(epoch_of(db, "SELECT extract(epoch FROM created_at)::float8 FROM leads WHERE id = " +
                                  std::to_string(id)));
  };
  crm::LeadProfileFacts fa;
  fa.has_name = fa.has_phone = fa.has_country = fa.has_city = fa.has_interests = true;
  fa.has_birth_date_or_age = fa.has_consent = true;
  fa.source = "referral";
  fa.created_at = created(a.id);
  crm::LeadProfileFacts fb;
  fb.source = "facebook";
  fb.created_at = created(b.id);
  crm::LeadProfileFacts fc;
  fc.created_at = created(c.id);
  const int sa = crm::score(fa, events_of(db, a.id), o.now, w);
  const int sb = crm::score(fb, events_of(db, b.id), o.now, w);
  const int sc = crm::score(fc, {}, o.now, w);
  CHECK(store.get(7, a.id).score == sa);
  CHECK(store.get(7, b.id).score == sb);
  CHECK(store.get(7, c.id).score == sc);
  CHECK(sa > sb);
  CHECK(store.get(9, foreign.id).score == 0);  // another organization: untouched
  std::uint64_t in_deciles = 0;
  for (auto n : first.deciles) in_deciles += n;
  CHECK(in_deciles == 3);
  CHECK(first.deciles[static_cast<std::size_t>(std::min(sa / 10, 9))] >= 1);

  const auto second = crm::recompute_scores(*db.pool, w, o);
  CHECK(second.leads == 3);
  CHECK(second.changed == 0);
  CHECK(second.deciles == first.deciles);

  // One lead only, with weights that ignore everything but completeness.
  auto only = crm::parse_scoring_weights(R"({"source": 0, "engagement": 0, "recency": 0})");
  crm::ScoreRecomputeOptions one = o;
  one.lead_id = b.id;
  const auto third = crm::recompute_scores(*db.pool, only, one);
  CHECK(third.leads == 1);
  CHECK(store.get(7, b.id).score == 0);
  CHECK(store.get(7, a.id).score == sa);
}
