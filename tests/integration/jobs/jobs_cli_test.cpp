// End-to-end: the built binary's `jobs` commands, their output and exit
// codes; a worker stopped by SIGTERM while a job runs; audit-purge.
#include <algorithm>

#include <catch2/catch.hpp>

#include <csignal>

#include "cli_output.hpp"
#include "jobs_fixture.hpp"
#include "promptsales/common/jobs/job_lock.hpp"
#include "serve_process.hpp"

using promptsales::test::ChildProcess;
using promptsales::test::describe;
using promptsales::test::JobsInstallation;
using promptsales::test::run_promptsales;
using promptsales::test::stdout_json;

namespace {

std::map<std::string, std::string> env_of(const JobsInstallation& inst,
                                          std::map<std::string, std::string> extra = {}) {
  auto env = inst.installation.env();
  env["PROMPTSALES_CONFIG"] = "";
  for (auto& [k, v] : extra) env[k] = v;
  return env;
}

// Audit entries `days_ago` old.
void add_audit_rows(JobsInstallation& inst, int count, int days_ago) {
  inst.exec("INSERT INTO audit_log (at, actor, action, outcome) SELECT now() - make_interval(days => " +
            std::to_string(days_ago) + "), 'test', 'test.event', 'success' FROM generate_series(1, " +
            std::to_string(count) + ")");
}

}  // namespace

TEST_CASE("jobs cli: list shows the jobs, their schedule and last run", "[jobs][cli]") {
  JobsInstallation inst;
  const auto env = env_of(inst, {{"PROMPTSALES_JOBS_SCHEDULE", "audit-purge=0 4 * * *"}});
  REQUIRE(run_promptsales({"jobs", "run", "probe"}, env).exit_code == 0);
  const auto r = run_promptsales({"--output", "json", "jobs", "list"}, env);
  INFO(describe(r));
  REQUIRE(r.exit_code == 0);
  const auto list = stdout_json(r);
  auto job = [&](const std::string& name) {
    for (const auto& j : list)
      if (j["name"] == name) return j;
    FAIL("jobs list has no " << name);
    return nlohmann::json();
  };
  std::vector<std::string> names;
  for (const auto& j : list) names.push_back(j["name"]);
  CHECK(std::is_sorted(names.begin(), names.end()));
  CHECK(job("audit-purge")["schedule"] == "0 4 * * *");
  CHECK(job("audit-purge")["concurrency"] == "exclusive");
  CHECK(job("audit-purge")["lastRun"].is_null());
  CHECK(job("probe")["schedule"].is_null());
  CHECK(job("probe")["lastRun"]["outcome"] == "succeeded");

  const auto table = run_promptsales({"jobs", "list"}, env);
  CHECK(table.exit_code == 0);
  CHECK_THAT(table.out, Catch::Contains("audit-purge") && Catch::Contains("0 4 * * *"));
}

TEST_CASE("jobs cli: a bad schedule is a configuration error naming the job and field", "[jobs][cli]") {
  JobsInstallation inst;
  const auto r = run_promptsales({"jobs", "list"}, env_of(inst, {{"PROMPTSALES_JOBS_SCHEDULE", "probe=*/5 25 * * *"}}));
  INFO(describe(r));
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("jobs_schedule: job probe: hour:") && Catch::Contains("out of range 0-23"));
  const auto s = run_promptsales({"jobs", "scheduler", "--once"}, env_of(inst, {{"PROMPTSALES_JOBS_SCHEDULE", ""}}));
  CHECK(s.exit_code == 2);
  CHECK_THAT(s.err, Catch::Contains("jobs_schedule is empty"));
}

TEST_CASE("jobs cli: run exits with the outcome's code and history shows it", "[jobs][cli]") {
  JobsInstallation inst;
  const auto env = env_of(inst);
  const auto ok = run_promptsales({"--output", "json", "jobs", "run", "probe"}, env);
  INFO(describe(ok));
  REQUIRE(ok.exit_code == 0);
  const auto report = stdout_json(ok);
  CHECK(report["outcome"] == "succeeded");
  CHECK(report["processed"] == 1);

  const auto unknown = run_promptsales({"jobs", "run", "backupp"}, env);
  CHECK(unknown.exit_code == 2);
  CHECK_THAT(unknown.err, Catch::Contains("unknown job 'backupp'"));
  const auto bad = run_promptsales({"jobs", "run", "audit-purge", "--param", "days=0"}, env);
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Contains("param days") && Catch::Contains("1-36500"));
  const auto nodry = run_promptsales({"jobs", "run", "probe", "--dry-run"}, env);
  CHECK(nodry.exit_code == 2);
  CHECK_THAT(nodry.err, Catch::Contains("probe has no dry run"));

  // Nothing reaches the database: retryable, exit 1.
  auto down = env;
  down["PROMPTSALES_DATABASE_URL"] = "postgresql://postgres@127.0.0.1:" + std::to_string(promptsales::test::free_port()) + "/x";
  CHECK(run_promptsales({"jobs", "run", "probe"}, down).exit_code == 1);

  const auto history = run_promptsales({"--output", "json", "jobs", "history", "--job", "probe"}, env);
  REQUIRE(history.exit_code == 0);
  const auto runs = stdout_json(history);
  REQUIRE(runs.size() == 1);
  CHECK(runs[0]["outcome"] == "succeeded");
  CHECK(runs[0]["exitCode"] == 0);
  CHECK(runs[0]["trigger"] == "cli");
  CHECK(runs[0]["finishedAt"].is_string());
}

TEST_CASE("jobs cli: a run while another holds the job's lock is skipped with exit 0", "[jobs][cli][lock]") {
  JobsInstallation inst;
  add_audit_rows(inst, 3, 200);
  pqxx::connection holder(inst.url());
  {
    pqxx::nontransaction tx(holder);
    tx.exec("SELECT pg_advisory_lock(" + std::to_string(promptsales::jobs::job_lock_key("audit-purge")) + ")");
  }
  const auto r = run_promptsales({"--output", "json", "jobs", "run", "audit-purge"}, env_of(inst));
  INFO(describe(r));
  CHECK(r.exit_code == 0);
  const auto report = stdout_json(r);
  CHECK(report["outcome"] == "skipped");
  CHECK_THAT(report["message"].get<std::string>(), Catch::Contains("already running"));
  CHECK(inst.scalar<long>("SELECT count(*) FROM audit_log WHERE actor = 'test'") == 3);
  CHECK(inst.scalar<std::string>("SELECT outcome FROM job_runs") == "skipped");
}

TEST_CASE("jobs cli: audit-purge deletes only entries older than the retention", "[jobs][cli][audit]") {
  JobsInstallation inst;
  add_audit_rows(inst, 4, 120);
  add_audit_rows(inst, 2, 91);
  add_audit_rows(inst, 3, 10);
  const auto env = env_of(inst);

  const auto dry = run_promptsales({"--output", "json", "jobs", "run", "audit-purge", "--dry-run"}, env);
  INFO(describe(dry));
  REQUIRE(dry.exit_code == 0);
  CHECK(stdout_json(dry)["counts"]["wouldDelete"] == 6);
  CHECK(inst.scalar<long>("SELECT count(*) FROM audit_log WHERE actor = 'test'") == 9);

  const auto custom = run_promptsales({"--output", "json", "jobs", "run", "audit-purge", "--param", "days=100"}, env);
  REQUIRE(custom.exit_code == 0);
  CHECK(stdout_json(custom)["processed"] == 4);

  // The default retention: audit_retention_days (90).
  const auto r = run_promptsales({"--output", "json", "jobs", "run", "audit-purge"}, env);
  REQUIRE(r.exit_code == 0);
  CHECK(stdout_json(r)["processed"] == 2);
  CHECK(inst.scalar<long>("SELECT count(*) FROM audit_log WHERE actor = 'test'") == 3);
  CHECK(inst.scalar<long>("SELECT count(*) FROM audit_log WHERE at < now() - interval '11 days'") == 0);
  CHECK(inst.scalar<std::string>("SELECT string_agg(processed::text, ',' ORDER BY id) FROM job_runs") == "0,4,2");
}

TEST_CASE("jobs cli: SIGTERM lets the running job finish, claims nothing more, exits 0", "[jobs][cli][signal]") {
  JobsInstallation inst;
  add_audit_rows(inst, 5, 200);
  const auto env = env_of(inst, {{"PROMPTSALES_JOBS_POLL_INTERVAL_MS", "100"}});
  REQUIRE(run_promptsales({"jobs", "enqueue", "audit-purge"}, env).exit_code == 0);

  // Block the purge on a table lock, so the job is mid-run when SIGTERM comes.
  pqxx::connection blocker(inst.url());
  auto lock_tx = std::make_unique<pqxx::work>(blocker);
  lock_tx->exec("LOCK TABLE audit_log IN ACCESS EXCLUSIVE MODE");

  ChildProcess worker(PROMPTSALES_BINARY, {"jobs", "worker", "--concurrency", "1"}, env);
  REQUIRE(promptsales::test::wait_for(
      [&] { return inst.scalar<long>("SELECT count(*) FROM job_runs WHERE finished_at IS NULL") == 1; },
      std::chrono::seconds(15)));
  worker.send_signal(SIGTERM);
  // Work queued after the signal must stay queued.
  REQUIRE(run_promptsales({"jobs", "enqueue", "probe"}, env).exit_code == 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  CHECK(worker.running());
  CHECK(inst.scalar<long>("SELECT count(*) FROM job_runs WHERE finished_at IS NULL") == 1);

  lock_tx->commit();
  const auto code = worker.wait_exit(std::chrono::seconds(15));
  INFO(worker.log());
  REQUIRE(code);
  CHECK(*code == 0);
  CHECK(inst.scalar<std::string>("SELECT outcome || ':' || processed FROM job_runs WHERE job = 'audit-purge'") ==
        "succeeded:5");
  CHECK(inst.scalar<std::string>("SELECT state FROM job_queue WHERE job = 'audit-purge'") == "succeeded");
  CHECK(inst.scalar<std::string>("SELECT state FROM job_queue WHERE job = 'probe'") == "queued");
  CHECK(inst.scalar<long>("SELECT count(*) FROM job_runs WHERE job = 'probe'") == 0);
}

TEST_CASE("jobs cli: enqueue, then worker --once drains the queue", "[jobs][cli]") {
  JobsInstallation inst;
  const auto env = env_of(inst);
  for (int i = 0; i < 5; ++i) REQUIRE(run_promptsales({"jobs", "enqueue", "probe"}, env).exit_code == 0);
  const auto later = run_promptsales({"--output", "json", "jobs", "enqueue", "probe", "--run-after", "1h"}, env);
  REQUIRE(later.exit_code == 0);
  CHECK(stdout_json(later)["id"].is_number());
  CHECK(run_promptsales({"jobs", "enqueue", "probe", "--run-after", "tomorrow"}, env).exit_code == 2);
  CHECK(run_promptsales({"jobs", "enqueue", "audit-purge", "--param", "dayz=3"}, env).exit_code == 2);

  const auto r = run_promptsales({"--output", "json", "jobs", "worker", "--once", "--concurrency", "2"}, env);
  INFO(describe(r));
  REQUIRE(r.exit_code == 0);
  const auto stats = stdout_json(r);
  CHECK(stats["jobs"] == 5);
  CHECK(stats["succeeded"] == 5);
  CHECK(inst.scalar<long>("SELECT count(*) FROM job_queue WHERE state = 'queued'") == 1);
}

TEST_CASE("jobs cli: help for every jobs command", "[jobs][cli]") {
  for (const auto* cmd : {"list", "run", "enqueue", "history", "worker", "scheduler"}) {
    const auto r = run_promptsales({"jobs", cmd, "--help"});
    INFO(cmd << "\n" << describe(r));
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("--output") || Catch::Contains("Usage"));
  }
}
