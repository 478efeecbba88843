// serve re-exports the job runner's run records as metrics (the alerts
// BackupMissing and JobFailed read them), without touching the database on
// the scrape itself.

#include <ctime>

#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "api_fixture.hpp"
#include "serve_process.hpp"
#include "test_env.hpp"

using namespace promptsales::test;

namespace {

/// The sample's value, or nullopt when /metrics has no such sample.
std::optional<double> sample_value(const std::string& text, const std::string& series) {
  const auto at = text.find("\n" + series + " ");
  if (at == std::string::npos) return std::nullopt;
  return std::stod(text.substr(at + series.size() + 2));
}

}  // namespace

TEST_CASE("serve exports job runs by outcome and the last success of each job", "[api][jobs][metrics]") {
  SeededInstallation inst(1, 1);
  ServeProcess server(inst.env({}, {{"PROMPTSALES_METRICS_JOB_RUNS_REFRESH_MS", "100"}}));
  const EnvMap env = {{"PROMPTSALES_DATABASE_URL", inst.control_url()}};

  const std::string succeeded = R"(promptsales_job_runs_total{job_name="probe",outcome="succeeded"})";
  const std::string last = R"(promptsales_job_last_success_timestamp_seconds{job_name="probe"})";
  CHECK_FALSE(sample_value(server.metrics(), succeeded));  // no run yet: no sample, not a zero

  const auto before = std::time(nullptr);
  REQUIRE(run_promptsales({"jobs", "run", "probe"}, env).exit_code == 0);
  REQUIRE(run_promptsales({"jobs", "run", "probe"}, env).exit_code == 0);
  REQUIRE(run_promptsales({"jobs", "run", "audit-purge", "--param", "days=0"}, env).exit_code == 2);

  REQUIRE(poll_until([&] { return sample_value(server.metrics(), succeeded) == 2.0; }, std::chrono::seconds(5)));
  const auto text = server.metrics();
  const auto at = sample_value(text, last);
  REQUIRE(at);
  CHECK(*at >= static_cast<double>(before) - 1);
  CHECK(*at <= static_cast<double>(std::time(nullptr)) + 1);
  // A failed run is counted under its outcome and never moves the success time.
  CHECK(text.find(R"(job_name="audit-purge")") == std::string::npos);  // refused before it ran: not recorded
  {
    pqxx::connection c(inst.control_url());
    pqxx::work tx(c);
    tx.exec("INSERT INTO job_runs (job, trigger, run_by, finished_at, outcome, exit_code) "
            "VALUES ('backup', 'cli', 'test', now(), 'failed', 1)");
    tx.commit();
  }
  REQUIRE(poll_until([&] {
    return sample_value(server.metrics(), R"(promptsales_job_runs_total{job_name="backup",outcome="failed"})") == 1.0;
  }, std::chrono::seconds(5)));
  CHECK_FALSE(sample_value(server.metrics(), R"(promptsales_job_last_success_timestamp_seconds{job_name="backup"})"));
}
