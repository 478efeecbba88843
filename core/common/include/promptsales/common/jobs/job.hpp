#pragma once
/// A job: a named unit of work run once by `jobs run NAME` (a CronJob) or
/// by `jobs worker` from the queue. Concrete jobs live in the top-level
/// jobs/ folder; this is the interface the runner knows them by.

#include <atomic>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "promptsales/common/jobs/job_params.hpp"
#include "promptsales/common/jobs/outcome.hpp"

namespace promptsales {
class Config;
namespace db {
class Pool;
}
}  // namespace promptsales

namespace promptsales::jobs {

/// Whether two runs of one job may overlap.
enum class Concurrency {
  exclusive,  ///< a PostgreSQL advisory lock keeps a second run out (the default)
  parallel,   ///< runs are independent (read-only diagnostics)
};

/// What a running job can use. The job may read `stop_requested` between
/// units of work and return early (as partial) when the worker is stopping.
struct JobContext {
  db::Pool& control;                ///< the control database
  const Config& config;             ///< the effective configuration
  const JobParams& params;          ///< validated against the job's ParamSpecs
  const std::atomic<bool>& stop_requested;
  std::int64_t run_id = 0;
};

/// What a job reports. The runner records it and turns it into an exit code.
struct JobResult {
  Outcome outcome = Outcome::succeeded;
  std::int64_t processed = 0;
  std::int64_t failed = 0;
  nlohmann::json counts = nlohmann::json::object();  ///< job-specific extra counts
  std::string message;

  /// succeeded if nothing failed; partial if some items failed and some
  /// did not; failed (retryable) if every item failed.
  static JobResult from_counts(std::int64_t processed, std::int64_t failed, std::string message);
};

class Job {
 public:
  virtual ~Job() = default;
  /// Stable, lower-case, dash-separated: it names the CronJob, the lock and the history.
  virtual std::string name() const = 0;
  virtual std::string description() const = 0;
  /// The parameters it accepts (`--param k=v`); anything else is refused.
  virtual std::vector<ParamSpec> params() const { return {}; }
  virtual Concurrency concurrency() const { return Concurrency::exclusive; }
  /// Throwing an Error maps through its kind (ConfigError/ValidationError:
  /// config_error, exit 2; Unavailable and other failures: failed, exit 1).
  /// Const: one instance serves every worker thread at once, so a job keeps no run state.
  virtual JobResult run(JobContext& context) const = 0;
};

}  // namespace promptsales::jobs
