// The import pipeline against a real CRM database: deduplication in every
// on-duplicate mode, dry runs, and resuming after a crash.
#include <catch2/catch.hpp>

#include "crm_fixture.hpp"
#include "promptsales/crm/row_error_sink.hpp"

using namespace promptsales;
using namespace promptsales::test;
using crm::ImportOptions;
using crm::OnDuplicate;

namespace {

crm::ImportSummary run_import(CrmInstallation& db, std::vector<crm::ReadRecord> records, ImportOptions o,
                              crm::RowErrorSink* sink = nullptr) {
  VectorSource source(std::move(records));
  crm::NullRowErrorSink none;
  return db.importer().run(source, sink ? *sink : none, o);
}

ImportOptions options(std::int64_t org, OnDuplicate mode, std::size_t batch = 5000) {
  ImportOptions o;
  o.organization_id = org;
  o.on_duplicate = mode;
  o.batch_size = batch;
  return o;
}

void check_total(const crm::ImportSummary& s) {
  CHECK(s.records == s.created + s.updated + s.skipped + s.failed);
}

// A resumed import ends with the clean run's summary and error report.
void check_same_outcome(const crm::ImportSummary& resumed, const crm::ImportSummary& clean,
                        const crm::MemoryRowErrorSink& resumed_errors, const crm::MemoryRowErrorSink& clean_errors) {
  CHECK(resumed.records == clean.records);
  CHECK(resumed.created == clean.created);
  CHECK(resumed.updated == clean.updated);
  CHECK(resumed.skipped == clean.skipped);
  CHECK(resumed.failed == clean.failed);
  REQUIRE(resumed_errors.errors.size() == clean_errors.errors.size());
  for (std::size_t i = 0; i < clean_errors.errors.size(); ++i) {
    CHECK(resumed_errors.errors[i].line == clean_errors.errors[i].line);
    CHECK(resumed_errors.errors[i].code == clean_errors.errors[i].code);
  }
}

// 40 records for `org`: 25 distinct emails, repeats with changing fields,
// and 3 rows the reader rejected.
std::vector<crm::ReadRecord> mixed_file(std::int64_t org) {
  std::vector<crm::ReadRecord> v;
  std::size_t line = 2;
  for (int i = 0; i < 25; ++i) {
    v.push_back(good(line++, org, "p" + std::to_string(i) + "@example.com", "Person " + std::to_string(i),
                     [i](crm::LeadInput& in) {
                       in.country = i % 2 ? "ES" : "MX";
                       in.interests = {"shoes"};
                     }));
  }
  for (int i = 0; i < 12; ++i) {
    v.push_back(good(line++, org, "p" + std::to_string(i * 2) + "@example.com", std::nullopt, [i](crm::LeadInput& in) {
      in.city = "City " + std::to_string(i);
      if (i % 3 == 0) in.status = crm::LeadStatus::qualified;
      in.consents.sms = true;
    }));
  }
  v.insert(v.begin() + 10, bad(1000, "invalid_email"));
  v.insert(v.begin() + 20, bad(1001, "invalid_phone"));
  v.push_back(bad(1002, "invalid_country"));
  // Lines must increase: renumber in order.
  for (std::size_t i = 0; i < v.size(); ++i) {
    v[i].line = i + 2;
    for (auto& e : v[i].errors) e.line = i + 2;
  }
  return v;
}

}  // namespace

TEST_CASE("crm_store: import creates leads, reports rejected rows and never lets them stop good ones", "[crm]") {
  CrmInstallation db;
  crm::MemoryRowErrorSink sink;
  const auto s = run_import(db, mixed_file(7), options(7, OnDuplicate::skip, 8), &sink);
  check_total(s);
  CHECK(s.records == 40);
  CHECK(s.created == 25);
  CHECK(s.skipped == 12);
  CHECK(s.failed == 3);
  CHECK(s.updated == 0);
  REQUIRE(sink.errors.size() == 3);
  CHECK(sink.errors[0].code == "invalid_email");
  CHECK(sink.errors[2].code == "invalid_country");
  CHECK(db.count("SELECT count(*) FROM leads WHERE organization_id = 7") == 25);
  auto store = db.store();
  const auto p0 = store.find_by_email(7, "p0@example.com");
  REQUIRE(p0);
  CHECK(p0->name == "Person 0");
  CHECK_FALSE(p0->city);  // skip: the first occurrence wins
  CHECK(p0->country == "MX");
}

TEST_CASE("crm_store: within-file duplicates: skip keeps the first, update merges in order, error rejects later ones",
          "[crm]") {
  CrmInstallation db;
  auto store = db.store();
  SECTION("update: the last occurrence wins, absent fields keep earlier values") {
    const auto s = run_import(db, mixed_file(1), options(1, OnDuplicate::update, 8));
    check_total(s);
    CHECK(s.created == 25);
    CHECK(s.updated == 12);
    CHECK(s.failed == 3);
    const auto p0 = store.find_by_email(1, "p0@example.com");
    REQUIRE(p0);
    CHECK(p0->name == "Person 0");  // the repeat gave no name
    CHECK(p0->city == "City 0");
    CHECK(p0->status == crm::LeadStatus::qualified);
    CHECK(p0->consents.sms);
    const auto p2 = store.find_by_email(1, "p2@example.com");
    REQUIRE(p2);
    CHECK(p2->status == crm::LeadStatus::new_);
    CHECK(p2->interests == std::vector<std::string>{"shoes"});
  }
  SECTION("error: later occurrences are duplicate_email rows") {
    crm::MemoryRowErrorSink sink;
    const auto s = run_import(db, mixed_file(1), options(1, OnDuplicate::error, 8), &sink);
    check_total(s);
    CHECK(s.created == 25);
    CHECK(s.failed == 15);
    std::size_t dups = 0;
    for (const auto& e : sink.errors) dups += e.code == "duplicate_email" ? 1 : 0;
    CHECK(dups == 12);
    for (std::size_t i = 1; i < sink.errors.size(); ++i) CHECK(sink.errors[i - 1].line <= sink.errors[i].line);
  }
}

TEST_CASE("crm_store: the result does not depend on the batch size", "[crm]") {
  CrmInstallation db;
  auto store = db.store();
  for (auto mode : {OnDuplicate::skip, OnDuplicate::update, OnDuplicate::error}) {
    INFO("mode " << crm::to_string(mode));
    const std::int64_t base = 10 * (static_cast<int>(mode) + 1);
    const auto one = run_import(db, mixed_file(base + 1), options(base + 1, mode, 1));
    const auto three = run_import(db, mixed_file(base + 2), options(base + 2, mode, 3));
    const auto all = run_import(db, mixed_file(base + 3), options(base + 3, mode, 5000));
    auto four_writers = options(base + 4, mode, 3);
    four_writers.writers = 4;
    const auto split = run_import(db, mixed_file(base + 4), four_writers);
    for (const auto* s : {&one, &three, &split}) {
      CHECK(s->created == all.created);
      CHECK(s->updated == all.updated);
      CHECK(s->skipped == all.skipped);
      CHECK(s->failed == all.failed);
    }
    auto strip = [](std::vector<std::string> v) { return v; };
    CHECK(strip(snapshot(store, base + 1)) == snapshot(store, base + 3));
    CHECK(strip(snapshot(store, base + 2)) == snapshot(store, base + 3));
    CHECK(strip(snapshot(store, base + 4)) == snapshot(store, base + 3));
  }
}

TEST_CASE("crm_store: duplicates against the database in each on-duplicate mode", "[crm]") {
  CrmInstallation db;
  auto store = db.store();
  const std::int64_t org = 3;
  run_import(db, {good(2, org, "ana@example.com", "Ana", [](crm::LeadInput& in) { in.phone = "+34600000001"; }),
                  good(3, org, "bob@example.com", "Bob")},
             options(org, OnDuplicate::skip));
  const auto second = [&] {
    return std::vector<crm::ReadRecord>{
        good(2, org, "ana@example.com", "Ana Maria", [](crm::LeadInput& in) { in.country = "PE"; }),
        good(3, org, "carla@example.com", "Carla")};
  };
  SECTION("skip") {
    const auto s = run_import(db, second(), options(org, OnDuplicate::skip));
    CHECK(s.created == 1);
    CHECK(s.skipped == 1);
    CHECK(store.find_by_email(org, "ana@example.com")->name == "Ana");
  }
  SECTION("update") {
    const auto s = run_import(db, second(), options(org, OnDuplicate::update));
    CHECK(s.created == 1);
    CHECK(s.updated == 1);
    const auto ana = store.find_by_email(org, "ana@example.com");
    CHECK(ana->name == "Ana Maria");
    CHECK(ana->phone == "+34600000001");  // not given: kept
    CHECK(ana->country == "PE");
  }
  SECTION("error") {
    crm::MemoryRowErrorSink sink;
    const auto s = run_import(db, second(), options(org, OnDuplicate::error), &sink);
    CHECK(s.created == 1);
    CHECK(s.failed == 1);
    REQUIRE(sink.errors.size() == 1);
    CHECK(sink.errors[0].code == "duplicate_email");
    CHECK(sink.errors[0].line == 2);
    CHECK(store.find_by_email(org, "ana@example.com")->name == "Ana");
  }
  CHECK(db.count("SELECT count(*) FROM leads WHERE organization_id = 3") == 3);
}

TEST_CASE("crm_store: two organizations with the same email hold separate leads", "[crm]") {
  CrmInstallation db;
  run_import(db, {good(2, 1, "same@example.com", "In org 1")}, options(1, OnDuplicate::skip));
  run_import(db, {good(2, 2, "same@example.com", "In org 2")}, options(2, OnDuplicate::skip));
  auto store = db.store();
  CHECK(store.find_by_email(1, "same@example.com")->name == "In org 1");
  CHECK(store.find_by_email(2, "same@example.com")->name == "In org 2");
  CHECK(db.count("SELECT count(*) FROM leads") == 2);
}

TEST_CASE("crm_store: a dry run counts like a real run and writes nothing", "[crm]") {
  CrmInstallation db;
  run_import(db, {good(2, 5, "p0@example.com", "Before")}, options(5, OnDuplicate::skip));
  auto o = options(5, OnDuplicate::error, 7);
  o.dry_run = true;
  o.content_digest = std::string(64, 'a');
  crm::MemoryRowErrorSink sink;
  const auto dry = run_import(db, mixed_file(5), o, &sink);
  CHECK(dry.dry_run);
  CHECK(dry.created == 24);
  CHECK(dry.failed == 16);  // 3 rejected, 12 repeats, p0 already stored
  CHECK(db.count("SELECT count(*) FROM leads") == 1);
  CHECK(db.count("SELECT count(*) FROM lead_imports") == 0);
  CHECK(db.count("SELECT count(*) FROM lead_import_errors") == 0);
  o.dry_run = false;
  const auto real = run_import(db, mixed_file(5), o);
  CHECK(real.created == dry.created);
  CHECK(real.failed == dry.failed);
}

TEST_CASE("crm_store: an import interrupted mid-batch and run again ends like one clean run", "[crm]") {
  CrmInstallation db;
  auto store = db.store();
  for (auto mode : {OnDuplicate::skip, OnDuplicate::update, OnDuplicate::error}) {
    INFO("mode " << crm::to_string(mode));
    const std::int64_t clean_org = 100 + static_cast<int>(mode) * 2, crashed_org = clean_org + 1;
    crm::MemoryRowErrorSink clean_errors;
    auto clean_options = options(clean_org, mode, 6);
    clean_options.content_digest = std::string(64, 'b');
    const auto clean = run_import(db, mixed_file(clean_org), clean_options, &clean_errors);

    auto o = options(crashed_org, mode, 6);
    o.content_digest = std::string(64, 'b');
    for (std::size_t crash_at : {13u, 27u}) {  // mid-batch, twice
      VectorSource crashing(mixed_file(crashed_org), crash_at);
      crm::NullRowErrorSink none;
      CHECK_THROWS_WITH(db.importer().run(crashing, none, o), "simulated crash");
    }
    CHECK(db.count("SELECT count(*) FROM lead_imports WHERE state = 'running'") == 1);
    crm::MemoryRowErrorSink resumed_errors;
    // Another batch size on the rerun: batch boundaries do not matter.
    o.batch_size = 4;
    const auto resumed = run_import(db, mixed_file(crashed_org), o, &resumed_errors);
    CHECK(resumed.resumed);
    CHECK(resumed.resumed_after_line > 0);
    check_same_outcome(resumed, clean, resumed_errors, clean_errors);
    CHECK(snapshot(store, crashed_org) == snapshot(store, clean_org));

    INFO("a finished import run again changes nothing and reports the same summary");
    const auto again = run_import(db, mixed_file(crashed_org), o);
    CHECK(again.already_done);
    CHECK(again.created == clean.created);
    CHECK(again.failed == clean.failed);
    CHECK(snapshot(store, crashed_org) == snapshot(store, clean_org));
    o.force_rerun = true;
    const auto forced = run_import(db, mixed_file(crashed_org), o);
    CHECK_FALSE(forced.already_done);
    CHECK(forced.created == 0);
    CHECK(snapshot(store, crashed_org) == snapshot(store, clean_org));
    db.pool->drop_idle();
  }
  CHECK(db.count("SELECT count(*) FROM lead_imports WHERE state = 'running'") == 0);
}

TEST_CASE("crm_store: a batch committed by some of its writers only is finished by the rerun like one clean run",
          "[crm]") {
  CrmInstallation db;
  auto store = db.store();
  for (auto mode : {OnDuplicate::skip, OnDuplicate::update, OnDuplicate::error}) {
    INFO("mode " << crm::to_string(mode));
    const std::int64_t clean_org = 200 + static_cast<int>(mode) * 2, crashed_org = clean_org + 1;
    crm::MemoryRowErrorSink clean_errors;
    auto clean_options = options(clean_org, mode, 6);
    clean_options.content_digest = std::string(64, 'c');
    clean_options.writers = 1;
    const auto clean = run_import(db, mixed_file(clean_org), clean_options, &clean_errors);

    // Batches of 6 records end at lines 7, 13, 19, ...: the one ending at 19
    // commits in parts 0 and 2 and not in part 1, as if the process died
    // between the parts' commits.
    auto o = options(crashed_org, mode, 6);
    o.content_digest = std::string(64, 'c');
    o.writers = 3;
    o.before_part_commit = [](std::size_t last_line, unsigned part) {
      if (last_line == 19 && part == 1) throw std::runtime_error("simulated crash between parts");
    };
    CHECK_THROWS(run_import(db, mixed_file(crashed_org), o));
    const std::string parts =
        "SELECT string_agg(p.part || ':' || p.last_line, ' ' ORDER BY p.part) FROM lead_import_parts p "
        "JOIN lead_imports i USING (import_key) WHERE i.organization_id = " +
        std::to_string(crashed_org);
    CHECK(db.text(parts) == "0:19 1:13 2:19");

    crm::MemoryRowErrorSink resumed_errors;
    o.before_part_commit = nullptr;
    o.writers = 1;     // ignored: the import keeps the split it began with
    o.batch_size = 4;  // batch boundaries do not matter
    const auto resumed = run_import(db, mixed_file(crashed_org), o, &resumed_errors);
    CHECK(resumed.resumed);
    CHECK(resumed.resumed_after_line == 13);
    CHECK(resumed.writers == 3);
    check_same_outcome(resumed, clean, resumed_errors, clean_errors);
    CHECK(snapshot(store, crashed_org) == snapshot(store, clean_org));
    CHECK(db.count("SELECT count(*) FROM lead_imports WHERE parts = 3 AND state = 'done' AND organization_id = " +
                   std::to_string(crashed_org) + " AND records = " + std::to_string(clean.records)) == 1);
    db.pool->drop_idle();
  }
}
