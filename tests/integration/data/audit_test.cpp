// The audit log against the real PostgreSQL: filters, purge by retention,
// and the asynchronous batching writer (flush on destruction, drops counted).
#include <catch2/catch.hpp>

#include <thread>

#include "data_fixture.hpp"
#include "promptsales/common/audit.hpp"
#include "promptsales/common/errors.hpp"

using namespace promptsales;
using namespace promptsales::test;

namespace {

AuditEvent event(std::string actor, std::string action) {
  AuditEvent e;
  e.actor = std::move(actor);
  e.action = std::move(action);
  return e;
}

}  // namespace

TEST_CASE_METHOD(DataFixture, "audit: record, filter by time, actor and action", "[data][audit]") {
  PgAuditLog log(*pool);
  auto e = event("cli:ana", "user.grant");
  e.target = "user:auth0|bob";
  e.organization_id = 7;
  e.client_ip = "10.1.2.3";
  e.details = {{"roles", {"analyst"}}};
  log.record(e);
  log.record(event("cli:bob", "tenant.add"));
  auto old = event("cli:ana", "user.register");
  old.at = "2020-01-01T00:00:00Z";
  log.record(old);
  auto bad_ip = event("user:x", "auth.login_failed");
  bad_ip.outcome = AuditOutcome::denied;
  bad_ip.client_ip = "not an ip";
  log.record(bad_ip);

  CHECK(log.list({}).size() == 4);
  const auto ana = log.list({std::nullopt, std::nullopt, std::string("cli:ana"), std::nullopt, 100});
  REQUIRE(ana.size() == 2);
  CHECK(ana[0].action == "user.grant");  // newest first
  CHECK(ana[0].client_ip == "10.1.2.3");
  CHECK(ana[0].organization_id == 7);
  CHECK(ana[0].details.at("roles").at(0) == "analyst");
  CHECK(log.list({parse_audit_time("24h", "since"), std::nullopt, std::string("cli:ana"), std::nullopt, 100}).size() ==
        1);
  CHECK(log.list({std::nullopt, parse_audit_time("2021-01-01", "until"), std::nullopt, std::nullopt, 100}).size() == 1);
  const auto denied = log.list({std::nullopt, std::nullopt, std::nullopt, std::string("auth.login_failed"), 100});
  REQUIRE(denied.size() == 1);
  CHECK(denied[0].outcome == "denied");
  CHECK_FALSE(denied[0].client_ip);
  CHECK(denied[0].details.at("clientIpUnparsed") == "not an ip");
  CHECK(log.list({std::nullopt, std::nullopt, std::nullopt, std::nullopt, 2}).size() == 2);
  CHECK_THROWS_AS(parse_audit_time("yesterday", "--since"), ValidationError);
  CHECK_THROWS_AS(log.record(event("", "x")), ValidationError);
}

TEST_CASE_METHOD(DataFixture, "audit: purge deletes only entries older than the retention, in batches",
                 "[data][audit]") {
  scalar("WITH ins AS (INSERT INTO audit_log (at, actor, action, outcome) SELECT now() - make_interval(days => 91) - "
         "make_interval(secs => g), 'cli:x', 'old', 'success' FROM generate_series(1, 25) g RETURNING 1) SELECT count(*) FROM ins");
  scalar("WITH ins AS (INSERT INTO audit_log (at, actor, action, outcome) SELECT now() - make_interval(days => 89), 'cli:x', "
         "'recent', 'success' FROM generate_series(1, 5) g RETURNING 1) SELECT count(*) FROM ins");
  PgAuditLog log(*pool);
  auto r = log.purge(90, true, 10);
  CHECK(r.dry_run);
  CHECK(r.deleted == 25);
  CHECK(scalar("SELECT count(*) FROM audit_log") == "30");
  r = log.purge(90, false, 10);
  CHECK(r.deleted == 25);
  CHECK(scalar("SELECT count(*) FROM audit_log WHERE action = 'old'") == "0");
  CHECK(scalar("SELECT count(*) FROM audit_log WHERE action = 'recent'") == "5");
  CHECK_THROWS_AS(log.purge(0, false), ValidationError);
}

TEST_CASE_METHOD(DataFixture, "audit: the async writer batches, flushes on destruction", "[data][audit]") {
  {
    AsyncAuditWriter writer(*pool, {10000, 100, std::chrono::milliseconds(50)});
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&writer, t] {
        for (int i = 0; i < 250; ++i) writer.record(event("user:t" + std::to_string(t), "campaign.update"));
      });
    }
    for (auto& th : threads) th.join();
  }
  CHECK(scalar("SELECT count(*) FROM audit_log") == "1000");
  CHECK(scalar("SELECT count(DISTINCT actor) FROM audit_log") == "4");
}

TEST_CASE_METHOD(DataFixture, "audit: a full queue drops and counts instead of blocking", "[data][audit]") {
  // Hold the table so the writer's insert waits.
  pqxx::connection blocker(installation.control_url());
  pqxx::work lock(blocker);
  lock.exec("LOCK TABLE audit_log IN ACCESS EXCLUSIVE MODE");
  AsyncAuditStats stats;
  {
    AsyncAuditWriter writer(*pool, {10, 5, std::chrono::milliseconds(10)});
    writer.record(event("user:a", "first"));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the first batch is now stuck on the lock
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 100; ++i) writer.record(event("user:a", "burst"));
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(500));
    stats = writer.stats();
    CHECK(stats.dropped == 90);
    CHECK(stats.recorded == 11);
    lock.abort();  // release; destruction flushes the rest
  }
  CHECK(scalar("SELECT count(*) FROM audit_log") == "11");
}
