// One-shot runs through the library: the record of a run, outcomes from
// results and errors, and the advisory lock between concurrent runs.
#include <catch2/catch.hpp>

#include <future>

#include "jobs_fixture.hpp"
#include "promptsales/common/errors.hpp"
#include "promptsales/common/jobs/job_lock.hpp"
#include "promptsales/common/jobs/job_runner.hpp"

using namespace promptsales;
using namespace promptsales::jobs;
using promptsales::test::JobsInstallation;
using promptsales::test::LambdaJob;

namespace {
const std::atomic<bool> kNoStop{false};
}

TEST_CASE("jobs: a run is recorded with its outcome, counts and message", "[jobs][runner]") {
  JobsInstallation inst;
  JobCatalog catalog;
  catalog.add(std::make_unique<LambdaJob>("counter", [](JobContext& ctx) {
    auto r = JobResult::from_counts(7, 2, "two rows were malformed");
    r.counts = {{"skippedDuplicates", 4}};
    CHECK(ctx.run_id > 0);
    return r;
  }));
  JobRunner runner(catalog, *inst.pool, inst.config);
  const auto report = runner.run({"counter", {}, Trigger::cli, std::nullopt}, kNoStop);
  CHECK(report.result.outcome == Outcome::partial);
  CHECK(static_cast<int>(report.exit_code()) == 3);
  REQUIRE(report.run_id > 0);

  pqxx::connection c(inst.url());
  pqxx::nontransaction tx(c);
  const auto row = tx.exec_params1(
      "SELECT job, trigger, outcome, exit_code, processed, failed, counts->>'skippedDuplicates', message, "
      "finished_at >= started_at, error IS NULL FROM job_runs WHERE id = $1",
      report.run_id);
  CHECK(row[0].as<std::string>() == "counter");
  CHECK(row[1].as<std::string>() == "cli");
  CHECK(row[2].as<std::string>() == "partial");
  CHECK(row[3].as<int>() == 3);
  CHECK(row[4].as<long>() == 7);
  CHECK(row[5].as<long>() == 2);
  CHECK(row[6].as<std::string>() == "4");
  CHECK(row[7].as<std::string>() == "two rows were malformed");
  CHECK(row[8].as<bool>());
  CHECK(row[9].as<bool>());
}

TEST_CASE("jobs: errors thrown by a job become outcomes through their kind", "[jobs][runner]") {
  JobsInstallation inst;
  JobCatalog catalog;
  catalog.add(std::make_unique<LambdaJob>("misconfigured", [](JobContext&) -> JobResult {
    throw ConfigError("bucket is not set");
  }));
  catalog.add(std::make_unique<LambdaJob>("unreachable", [](JobContext&) -> JobResult {
    throw Unavailable("provider timed out");
  }));
  catalog.add(std::make_unique<LambdaJob>("bad-sql", [](JobContext& ctx) -> JobResult {
    auto lease = ctx.control.acquire();
    pqxx::nontransaction tx(*lease);
    tx.exec("SELECT * FROM no_such_table");
    return {};
  }));
  JobRunner runner(catalog, *inst.pool, inst.config);

  const auto config = runner.run({"misconfigured", {}, Trigger::cli, std::nullopt}, kNoStop);
  CHECK(config.result.outcome == Outcome::config_error);
  CHECK(static_cast<int>(config.exit_code()) == 2);
  CHECK(config.error == "bucket is not set");

  const auto down = runner.run({"unreachable", {}, Trigger::cli, std::nullopt}, kNoStop);
  CHECK(down.result.outcome == Outcome::failed);
  CHECK(static_cast<int>(down.exit_code()) == 1);

  const auto sql = runner.run({"bad-sql", {}, Trigger::cli, std::nullopt}, kNoStop);
  CHECK(sql.result.outcome == Outcome::config_error);

  CHECK(inst.scalar<std::string>("SELECT string_agg(job || ':' || outcome || ':' || coalesce(error, ''), ',' ORDER BY id) "
                                 "FROM job_runs") ==
        "misconfigured:config_error:bucket is not set,unreachable:failed:provider timed out,bad-sql:config_error:" +
            inst.scalar<std::string>("SELECT error FROM job_runs WHERE job = 'bad-sql'"));
  CHECK_THAT(inst.scalar<std::string>("SELECT error FROM job_runs WHERE job = 'bad-sql'"),
             Catch::Contains("no_such_table"));
}

TEST_CASE("jobs: an unknown job or bad parameters run and record nothing", "[jobs][runner]") {
  JobsInstallation inst;
  JobCatalog catalog;
  struct WithParams final : Job {
    std::string name() const override { return "with-params"; }
    std::string description() const override { return "test"; }
    std::vector<ParamSpec> params() const override { return {{"days", ParamKind::integer, "", std::nullopt, 1, 10}}; }
    JobResult run(JobContext&) const override {
      FAIL("must not run");
      return {};
    }
  };
  catalog.add(std::make_unique<WithParams>());
  JobRunner runner(catalog, *inst.pool, inst.config);
  CHECK_THROWS_AS(runner.run({"nope", {}, Trigger::cli, std::nullopt}, kNoStop), ValidationError);
  CHECK_THROWS_WITH(runner.run({"with-params", {{"days", "11"}}, Trigger::cli, std::nullopt}, kNoStop),
                    Catch::Contains("param days") && Catch::Contains("1-10"));
  CHECK(inst.scalar<long>("SELECT count(*) FROM job_runs") == 0);
}

TEST_CASE("jobs: a second concurrent run of an exclusive job is skipped, not overlapped", "[jobs][runner][lock]") {
  JobsInstallation inst;
  std::atomic<int> running{0};
  std::atomic<int> most_at_once{0};
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  JobCatalog catalog;
  catalog.add(std::make_unique<LambdaJob>("slow", [&](JobContext&) {
    const int now = ++running;
    most_at_once = std::max(most_at_once.load(), now);
    released.wait_for(std::chrono::seconds(20));
    --running;
    return JobResult::from_counts(1, 0, "done");
  }));
  JobRunner runner(catalog, *inst.pool, inst.config);

  auto first = std::async(std::launch::async, [&] { return runner.run({"slow", {}, Trigger::cli, std::nullopt}, kNoStop); });
  REQUIRE(promptsales::test::wait_for([&] { return running.load() == 1; }, std::chrono::seconds(10)));

  // Another process's view: the lock is held in PostgreSQL, not in memory.
  {
    pqxx::connection other(inst.url());
    pqxx::nontransaction tx(other);
    CHECK_FALSE(tx.exec_params1("SELECT pg_try_advisory_lock($1)", job_lock_key("slow"))[0].as<bool>());
  }
  const auto second = runner.run({"slow", {}, Trigger::cli, std::nullopt}, kNoStop);
  CHECK(second.result.outcome == Outcome::skipped);
  CHECK(second.exit_code() == ExitCode::success);
  CHECK_THAT(second.result.message, Catch::Contains("already running"));

  release.set_value();
  const auto done = first.get();
  CHECK(done.result.outcome == Outcome::succeeded);
  CHECK(most_at_once.load() == 1);
  CHECK(inst.scalar<std::string>("SELECT string_agg(outcome, ',' ORDER BY id) FROM job_runs") == "succeeded,skipped");

  // Released afterwards: the next run goes ahead.
  const auto third = runner.run({"slow", {}, Trigger::cli, std::nullopt}, kNoStop);
  CHECK(third.result.outcome == Outcome::succeeded);
}

TEST_CASE("jobs: parallel jobs run at once", "[jobs][runner][lock]") {
  JobsInstallation inst;
  std::atomic<int> running{0};
  std::atomic<int> most_at_once{0};
  JobCatalog catalog;
  catalog.add(std::make_unique<LambdaJob>(
      "together",
      [&](JobContext&) {
        const int now = ++running;
        most_at_once = std::max(most_at_once.load(), now);
        promptsales::test::wait_for([&] { return most_at_once.load() >= 2; }, std::chrono::seconds(5));
        --running;
        return JobResult{};
      },
      Concurrency::parallel));
  JobRunner runner(catalog, *inst.pool, inst.config);
  auto a = std::async(std::launch::async, [&] { return runner.run({"together", {}, Trigger::cli, std::nullopt}, kNoStop); });
  auto b = std::async(std::launch::async, [&] { return runner.run({"together", {}, Trigger::cli, std::nullopt}, kNoStop); });
  CHECK(a.get().result.outcome == Outcome::succeeded);
  CHECK(b.get().result.outcome == Outcome::succeeded);
  CHECK(most_at_once.load() == 2);
}
