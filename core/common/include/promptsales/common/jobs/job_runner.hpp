#pragma once
/// Runs one job once: validates its parameters, takes its lock (exclusive
/// jobs), records the run, calls it, maps what happened to an outcome.
/// Shared by `jobs run` and the worker.

#include <atomic>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "promptsales/common/jobs/job_catalog.hpp"
#include "promptsales/common/jobs/run_recorder.hpp"

namespace promptsales::jobs {

struct RunRequest {
  std::string job;
  std::map<std::string, std::string> params;  ///< raw text; validated by the runner
  Trigger trigger = Trigger::cli;
  std::optional<std::int64_t> queue_id;
};

struct RunReport {
  std::int64_t run_id = 0;  ///< 0 if nothing was recorded (unknown job, bad params)
  std::string job;
  JobResult result;
  std::string error;  ///< the exception's text when the job threw
  double duration_seconds = 0;
  ExitCode exit_code() const noexcept { return exit_code_of(result.outcome); }
};

class JobRunner {
 public:
  JobRunner(const JobCatalog& catalog, db::Pool& control, const Config& config)
      : catalog_(catalog), control_(control), config_(config) {}

  /// Never throws for what the job does (that becomes the outcome). Throws
  /// ValidationError for an unknown job or bad parameters (nothing is run or
  /// recorded), and Unavailable if the database cannot record the run.
  RunReport run(const RunRequest& request, const std::atomic<bool>& stop_requested);

 private:
  const JobCatalog& catalog_;
  db::Pool& control_;
  const Config& config_;
};

}  // namespace promptsales::jobs
