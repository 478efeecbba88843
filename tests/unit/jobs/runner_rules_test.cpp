// The runner's fixed rules: outcome -> exit code, error kind -> outcome,
// retry backoff, the advisory lock key, the schedule setting, the catalog.
#include <catch2/catch.hpp>

#include <stdexcept>

#include "promptsales/common/errors.hpp"
#include "promptsales/common/jobs/job_catalog.hpp"
#include "promptsales/common/jobs/job_lock.hpp"
#include "promptsales/common/jobs/job_queue.hpp"
#include "promptsales/common/jobs/schedule.hpp"
#include "promptsales/jobs/catalog.hpp"

using namespace promptsales::jobs;
using promptsales::ExitCode;

TEST_CASE("outcomes: exit codes are the documented ones", "[outcome]") {
  CHECK(exit_code_of(Outcome::succeeded) == ExitCode::success);
  CHECK(exit_code_of(Outcome::skipped) == ExitCode::success);
  CHECK(static_cast<int>(exit_code_of(Outcome::failed)) == 1);
  CHECK(static_cast<int>(exit_code_of(Outcome::config_error)) == 2);
  CHECK(static_cast<int>(exit_code_of(Outcome::partial)) == 3);
  for (auto o : {Outcome::succeeded, Outcome::failed, Outcome::config_error, Outcome::partial, Outcome::skipped}) {
    CHECK(outcome_from_string(to_string(o)) == o);
  }
  CHECK_FALSE(outcome_from_string("done"));
  CHECK(is_retryable(Outcome::failed));
  CHECK_FALSE(is_retryable(Outcome::config_error));
  CHECK_FALSE(is_retryable(Outcome::partial));
}

TEST_CASE("outcomes: errors map through their kind", "[outcome]") {
  CHECK(outcome_of(promptsales::ConfigError("no url")) == Outcome::config_error);
  CHECK(outcome_of(promptsales::ValidationError("days", "bad")) == Outcome::config_error);
  CHECK(outcome_of(promptsales::NotFound("no such org")) == Outcome::config_error);
  CHECK(outcome_of(promptsales::Unavailable("db down")) == Outcome::failed);
  CHECK(outcome_of(promptsales::Conflict("changed")) == Outcome::failed);
  CHECK(outcome_of(std::runtime_error("boom")) == Outcome::failed);
}

TEST_CASE("outcomes: results from counts", "[outcome]") {
  CHECK(JobResult::from_counts(10, 0, "").outcome == Outcome::succeeded);
  CHECK(JobResult::from_counts(0, 0, "").outcome == Outcome::succeeded);
  CHECK(JobResult::from_counts(8, 2, "").outcome == Outcome::partial);
  CHECK(JobResult::from_counts(0, 2, "").outcome == Outcome::failed);
}

TEST_CASE("backoff doubles from the base and stops at the cap", "[queue]") {
  BackoffPolicy b{std::chrono::milliseconds(1000), std::chrono::milliseconds(10000)};
  CHECK(b.delay_after(1).count() == 1000);
  CHECK(b.delay_after(2).count() == 2000);
  CHECK(b.delay_after(3).count() == 4000);
  CHECK(b.delay_after(4).count() == 8000);
  CHECK(b.delay_after(5).count() == 10000);
  CHECK(b.delay_after(100).count() == 10000);
  CHECK(b.delay_after(0).count() == 1000);
}

TEST_CASE("the lock key is a stable hash of the job name", "[lock]") {
  // Fixed values: a changed hash would let an old and a new binary overlap.
  CHECK(job_lock_key("audit-purge") == job_lock_key("audit-purge"));
  CHECK(job_lock_key("audit-purge") != job_lock_key("probe"));
  CHECK(job_lock_key("") != 0);
  CHECK(job_lock_key("audit-purge") == -7028120661289955729LL);
  CHECK(job_lock_key("backup") == -7419137006704205212LL);
}

TEST_CASE("schedule: entries parse, and faults name the job and the field", "[schedule]") {
  const auto entries = parse_schedule(" audit-purge=0 4 * * * ; probe=*/5 * * * *;");
  REQUIRE(entries.size() == 2);
  CHECK(entries[0].job == "audit-purge");
  CHECK(entries[0].cron.text() == "0 4 * * *");
  CHECK(entries[1].job == "probe");
  CHECK(parse_schedule("").empty());

  auto error_of = [](const std::string& text) {
    const auto catalog = make_catalog();
    try {
      parse_schedule(text, &catalog);
    } catch (const promptsales::ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("(accepted)");
  };
  CHECK(error_of("audit-purge=0 4 * * *") == "(accepted)");
  CHECK_THAT(error_of("audit-purge=0 25 * * *"),
             Catch::StartsWith("jobs_schedule: job audit-purge: hour:") && Catch::Contains("out of range 0-23"));
  CHECK_THAT(error_of("probe=* * *"), Catch::Contains("job probe") && Catch::Contains("expected 5"));
  CHECK_THAT(error_of("audit-purge 0 4 * * *"), Catch::Contains("not job=cron"));
  CHECK_THAT(error_of("=0 4 * * *"), Catch::Contains("no job name"));
  CHECK_THAT(error_of("billing=0 4 * * *"), Catch::Contains("unknown job 'billing'"));
  CHECK_THAT(error_of("probe=* * * * *;probe=0 * * * *"), Catch::Contains("scheduled twice"));
}

TEST_CASE("catalog: the shipped jobs, lookups, refusals", "[catalog]") {
  const auto catalog = make_catalog();
  REQUIRE(catalog.find("audit-purge"));
  REQUIRE(catalog.find("probe"));
  CHECK(catalog.find("probe")->concurrency() == Concurrency::parallel);
  CHECK(catalog.find("audit-purge")->concurrency() == Concurrency::exclusive);
  CHECK_FALSE(catalog.find("nope"));
  try {
    catalog.get("nope");
    FAIL("found");
  } catch (const promptsales::ValidationError& e) {
    CHECK(e.field() == "job");
    // The message lists the known jobs, sorted.
    CHECK_THAT(e.what(), Catch::Contains("unknown job 'nope' (known: audit-purge, ") && Catch::Contains(", probe"));
  }
  struct Named final : Job {
    explicit Named(std::string n) : n_(std::move(n)) {}
    std::string name() const override { return n_; }
    std::string description() const override { return "test"; }
    JobResult run(JobContext&) const override { return {}; }
    std::string n_;
  };
  JobCatalog c;
  c.add(std::make_unique<Named>("a-job"));
  CHECK_THROWS_AS(c.add(std::make_unique<Named>("a-job")), std::logic_error);
  CHECK_THROWS_AS(c.add(std::make_unique<Named>("Bad Name")), std::logic_error);
  CHECK_THROWS_AS(c.add(std::make_unique<Named>("")), std::logic_error);
}
