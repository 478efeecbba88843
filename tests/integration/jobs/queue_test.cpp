// The queue and its worker, in process: SKIP LOCKED hands each row to one
// worker, retryable failures come back after a growing delay, configuration
// errors do not come back.
#include <catch2/catch.hpp>

#include <thread>

#include "jobs_fixture.hpp"
#include "promptsales/common/errors.hpp"
#include "promptsales/common/jobs/job_lock.hpp"
#include "promptsales/common/jobs/job_queue.hpp"
#include "promptsales/common/jobs/worker.hpp"

using namespace promptsales;
using namespace promptsales::jobs;
using promptsales::test::JobsInstallation;
using promptsales::test::LambdaJob;

namespace {

WorkerOptions fast_options(const JobsInstallation& inst, int concurrency) {
  WorkerOptions o;
  o.database_url = inst.url();
  o.concurrency = concurrency;
  o.poll_interval = std::chrono::milliseconds(50);
  o.shutdown_grace = std::chrono::seconds(10);
  o.backoff.base = std::chrono::milliseconds(300);
  return o;
}

void enqueue(JobsInstallation& inst, const std::string& job, int count, int max_attempts = 5) {
  pqxx::connection c(inst.url());
  JobQueue queue(c);
  for (int i = 0; i < count; ++i) {
    EnqueueRequest r;
    r.job = job;
    r.max_attempts = max_attempts;
    REQUIRE(queue.enqueue(r));
  }
}

}  // namespace

TEST_CASE("jobs: each queued job is claimed by exactly one of two workers", "[jobs][queue]") {
  JobsInstallation inst;
  std::atomic<int> runs{0};
  JobCatalog catalog;
  catalog.add(std::make_unique<LambdaJob>(
      "tick", [&](JobContext&) { ++runs; return JobResult::from_counts(1, 0, ""); }, Concurrency::parallel));
  constexpr int kJobs = 300;
  enqueue(inst, "tick", kJobs);

  std::atomic<bool> stop{false};
  auto o1 = fast_options(inst, 3);
  o1.worker_id = "worker-a";
  o1.until_empty = true;
  auto o2 = o1;
  o2.worker_id = "worker-b";
  Worker a(catalog, inst.config, o1);
  Worker b(catalog, inst.config, o2);
  WorkerStats sa, sb;
  std::thread ta([&] { sa = a.run(stop); });
  std::thread tb([&] { sb = b.run(stop); });
  ta.join();
  tb.join();

  CHECK(runs.load() == kJobs);
  CHECK(sa.jobs + sb.jobs == kJobs);
  CHECK(inst.scalar<long>("SELECT count(*) FROM job_queue WHERE state = 'succeeded' AND attempts = 1") == kJobs);
  // One run per queue row: no row was run twice, none was missed.
  CHECK(inst.scalar<long>("SELECT count(DISTINCT queue_id) FROM job_runs") == kJobs);
  CHECK(inst.scalar<long>("SELECT count(*) FROM job_runs") == kJobs);
  CHECK(inst.scalar<long>("SELECT count(*) FROM job_runs WHERE trigger = 'worker' AND outcome = 'succeeded'") == kJobs);
  INFO("worker-a ran " << sa.jobs << ", worker-b ran " << sb.jobs);
  CHECK(inst.scalar<long>("SELECT count(DISTINCT split_part(run_by, ':', 2)) FROM job_runs") >= 1);
}

TEST_CASE("jobs: a retryable failure is retried with exponential backoff", "[jobs][queue][retry]") {
  JobsInstallation inst;
  std::atomic<int> calls{0};
  JobCatalog catalog;
  catalog.add(std::make_unique<LambdaJob>("flaky", [&](JobContext&) -> JobResult {
    if (++calls <= 2) throw Unavailable("provider timed out");
    return JobResult::from_counts(1, 0, "third time lucky");
  }));
  enqueue(inst, "flaky", 1);

  std::atomic<bool> stop{false};
  auto o = fast_options(inst, 1);
  o.max_jobs = 3;
  Worker worker(catalog, inst.config, o);
  const auto stats = worker.run(stop);
  CHECK(stats.jobs == 3);
  CHECK(stats.failed == 2);
  CHECK(stats.succeeded == 1);

  CHECK(inst.scalar<std::string>("SELECT state || ':' || attempts FROM job_queue") == "succeeded:3");
  CHECK(inst.scalar<std::string>("SELECT string_agg(outcome, ',' ORDER BY id) FROM job_runs") ==
        "failed,failed,succeeded");
  // Delays of 300 ms, then 600 ms, between the end of one attempt and the start of the next.
  pqxx::connection c(inst.url());
  pqxx::nontransaction tx(c);
  const auto gaps = tx.exec(
      "SELECT extract(epoch FROM started_at - lag(finished_at) OVER (ORDER BY id))::float8 FROM job_runs ORDER BY id");
  REQUIRE(gaps.size() == 3);
  CHECK(gaps[1][0].as<double>() >= 0.29);
  CHECK(gaps[2][0].as<double>() >= 0.59);
  CHECK(gaps[2][0].as<double>() > gaps[1][0].as<double>());
}

TEST_CASE("jobs: retries stop at max_attempts", "[jobs][queue][retry]") {
  JobsInstallation inst;
  JobCatalog catalog;
  catalog.add(std::make_unique<LambdaJob>("always-down", [](JobContext&) -> JobResult {
    throw Unavailable("still down");
  }));
  enqueue(inst, "always-down", 1, 2);
  std::atomic<bool> stop{false};
  auto o = fast_options(inst, 1);
  o.backoff.base = std::chrono::milliseconds(50);
  o.max_jobs = 2;
  Worker worker(catalog, inst.config, o);
  worker.run(stop);
  CHECK(inst.scalar<std::string>("SELECT state || ':' || attempts || ':' || last_error FROM job_queue") ==
        "failed:2:still down");
}

TEST_CASE("jobs: a configuration error is not retried", "[jobs][queue][retry]") {
  JobsInstallation inst;
  std::atomic<int> calls{0};
  JobCatalog catalog;
  catalog.add(std::make_unique<LambdaJob>("misconfigured", [&](JobContext&) -> JobResult {
    ++calls;
    throw ConfigError("bucket is not set");
  }));
  enqueue(inst, "misconfigured", 1);
  enqueue(inst, "not-in-this-binary", 1);
  {
    pqxx::connection c(inst.url());
    JobQueue(c).enqueue({"misconfigured", {{"unexpected", 1}}, std::nullopt, 5, std::nullopt});
  }

  std::atomic<bool> stop{false};
  auto o = fast_options(inst, 1);
  o.backoff.base = std::chrono::milliseconds(10);
  o.until_empty = true;
  Worker worker(catalog, inst.config, o);
  const auto stats = worker.run(stop);
  CHECK(calls.load() == 1);
  CHECK(stats.config_errors == 3);
  CHECK(inst.scalar<long>("SELECT count(*) FROM job_queue WHERE state = 'failed' AND attempts = 1") == 3);
  CHECK(inst.scalar<std::string>("SELECT last_error FROM job_queue WHERE job = 'not-in-this-binary'") ==
        "job: unknown job 'not-in-this-binary' (known: misconfigured)");
  CHECK_THAT(inst.scalar<std::string>("SELECT last_error FROM job_queue WHERE params ? 'unexpected'"),
             Catch::Contains("param unexpected"));
  // Only the one that ran is in the history.
  CHECK(inst.scalar<long>("SELECT count(*) FROM job_runs") == 1);
}

TEST_CASE("jobs: a queued exclusive job whose lock is held waits its turn", "[jobs][queue][lock]") {
  JobsInstallation inst;
  JobCatalog catalog;
  catalog.add(std::make_unique<LambdaJob>("exclusive", [](JobContext&) { return JobResult{}; }));
  enqueue(inst, "exclusive", 1);
  pqxx::connection holder(inst.url());
  {
    pqxx::nontransaction tx(holder);
    tx.exec("SELECT pg_advisory_lock(" + std::to_string(promptsales::jobs::job_lock_key("exclusive")) + ")");
  }
  std::atomic<bool> stop{false};
  auto o = fast_options(inst, 1);
  o.defer_when_locked = std::chrono::milliseconds(200);
  o.max_jobs = 1;
  Worker worker(catalog, inst.config, o);
  CHECK(worker.run(stop).skipped == 1);
  CHECK(inst.scalar<std::string>("SELECT state || ':' || attempts FROM job_queue") == "queued:0");
  holder.disconnect();  // releases the lock
  auto o2 = o;
  o2.until_empty = false;
  Worker again(catalog, inst.config, o2);
  CHECK(again.run(stop).succeeded == 1);
  CHECK(inst.scalar<std::string>("SELECT state || ':' || attempts FROM job_queue") == "succeeded:1");
}
