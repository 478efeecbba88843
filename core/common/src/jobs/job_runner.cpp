#include "promptsales/common/jobs/job_runner.hpp"

#include <chrono>
#include <optional>

#include "promptsales/common/db/pool.hpp"
#include "promptsales/common/jobs/job_lock.hpp"
#include "promptsales/common/logging.hpp"

namespace promptsales::jobs {

RunReport JobRunner::run(const RunRequest& request, const std::atomic<bool>& stop_requested) {
  const Job& job = catalog_.get(request.job);
  const JobParams params = validate_params(job.name(), job.params(), request.params);
  const auto started = std::chrono::steady_clock::now();
  auto log = logging::get("jobs");

  RunReport report;
  report.job = job.name();
  // The session connection: it holds the advisory lock for the whole run
  // and writes the run record; the job uses other connections of the pool.
  db::Lease session = control_.acquire();
  RunRecorder recorder(*session);
  std::optional<JobLock> lock;
  if (job.concurrency() == Concurrency::exclusive) {
    lock.emplace(*session, job.name());
    if (!lock->acquired()) {
      report.result.outcome = Outcome::skipped;
      report.result.message = "already running: another run of " + job.name() + " holds its lock; skipped";
      report.run_id = recorder.start(job.name(), params.to_json(), request.trigger, request.queue_id);
      recorder.finish(report.run_id, report.result);
      log->warn("job {} run {}: {}", job.name(), report.run_id, report.result.message);
      return report;
    }
  }

  report.run_id = recorder.start(job.name(), params.to_json(), request.trigger, request.queue_id);
  log->info("job {} run {} started", job.name(), report.run_id);
  JobContext context{control_, config_, params, stop_requested, report.run_id};
  try {
    report.result = job.run(context);
  } catch (const Error& e) {
    report.result.outcome = outcome_of(e);
    report.error = e.detail().empty() ? e.what() : std::string(e.what()) + " (" + e.detail() + ")";
  } catch (const std::exception& e) {
    report.result.outcome = outcome_of(e);
    report.error = e.what();
  }
  if (!report.error.empty() && report.result.message.empty()) report.result.message = report.error;
  report.duration_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  recorder.finish(report.run_id, report.result, report.error);
  const auto level = report.result.outcome == Outcome::succeeded ? spdlog::level::info : spdlog::level::warn;
  log->log(level, "job {} run {} {} in {:.3f}s: processed {}, failed {}{}{}", job.name(), report.run_id,
           to_string(report.result.outcome), report.duration_seconds, report.result.processed, report.result.failed,
           report.result.message.empty() ? "" : ": ", report.result.message);
  return report;
}

}  // namespace promptsales::jobs
