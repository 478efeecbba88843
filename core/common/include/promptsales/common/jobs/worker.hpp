#pragma once
/// `jobs worker`: N threads that claim queued jobs and run them. Idle
/// threads sleep until a NOTIFY on promptsales_jobs (one listener
/// connection) or the poll interval, whichever comes first. On stop:
/// claim nothing more, let running jobs finish within the grace period.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "promptsales/common/jobs/job_catalog.hpp"
#include "promptsales/common/jobs/job_queue.hpp"

namespace promptsales::jobs {

struct WorkerOptions {
  std::string database_url;  ///< control database (pool and listener)
  int concurrency = 1;
  std::chrono::milliseconds poll_interval{1000};
  std::chrono::milliseconds shutdown_grace{30000};
  BackoffPolicy backoff;
  std::chrono::milliseconds defer_when_locked{5000};
  std::chrono::seconds stale_after{3600};  ///< running rows older than this are requeued at start
  std::optional<std::int64_t> max_jobs;    ///< stop after this many jobs
  bool until_empty = false;                ///< stop when nothing is ready (`--once`)
  std::string worker_id;                   ///< default: host:pid
  std::chrono::milliseconds statement_timeout{0};
};

struct WorkerStats {
  std::int64_t jobs = 0;  ///< runs finished (any outcome)
  std::int64_t succeeded = 0, failed = 0, config_errors = 0, partial = 0, skipped = 0;
  std::int64_t abandoned = 0;  ///< still running when the grace period ended (put back in the queue)
  double seconds = 0;
};

class Worker {
 public:
  Worker(const JobCatalog& catalog, const Config& config, WorkerOptions options);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  /// Blocks until `stop` becomes true (then drains within the grace period),
  /// or max_jobs / until_empty says it is done.
  WorkerStats run(const std::atomic<bool>& stop);

  struct State;  ///< defined in worker.cpp

 private:
  std::shared_ptr<State> state_;  // shared with threads that may outlive run() after the grace period
};

}  // namespace promptsales::jobs
