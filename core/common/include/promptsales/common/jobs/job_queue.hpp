#pragma once
/// The job_queue table: enqueue, claim with FOR UPDATE SKIP LOCKED (so any
/// number of workers take each row exactly once), and settle a claimed row
/// by its outcome: retryable failures come back after an exponential
/// backoff until max_attempts, configuration errors never do.

#include <pqxx/connection>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "promptsales/common/jobs/outcome.hpp"


namespace promptsales::jobs {

struct EnqueueRequest {
  std::string job;
  nlohmann::json params = nlohmann::json::object();
  std::optional<std::string> run_after;      ///< normalized ISO-8601; now if absent
  int max_attempts = 5;
  std::optional<std::string> scheduled_for;  ///< the scheduler's fire time (unique per job)
};

struct QueuedJob {
  std::int64_t id = 0;
  std::string job;
  nlohmann::json params;
  int attempts = 0;  ///< including this one
  int max_attempts = 0;
};

struct BackoffPolicy {
  std::chrono::milliseconds base{30000};  ///< delay after the first failure; doubles each time
  std::chrono::milliseconds max{3600000};
  /// base * 2^(attempts-1), capped at max.
  std::chrono::milliseconds delay_after(int attempts) const noexcept;
};

struct QueueCounts {
  std::int64_t queued = 0, running = 0, succeeded = 0, failed = 0, partial = 0;
};

class JobQueue {
 public:
  explicit JobQueue(pqxx::connection& conn) : conn_(conn) {}
  /// The new row's id; nullopt when a row for (job, scheduled_for) already exists.
  std::optional<std::int64_t> enqueue(const EnqueueRequest& request);
  /// Takes the oldest ready row (state queued, run_after passed), marks it
  /// running by `worker`, counts the attempt. nullopt when none is ready.
  std::optional<QueuedJob> claim(const std::string& worker);
  /// Settles a claimed row: succeeded/partial/config_error end it; failed
  /// is retried after `backoff` while attempts remain; skipped (the job's
  /// lock was held) goes back to the queue after `defer`, not counting the attempt.
  void settle(const QueuedJob& job, Outcome outcome, const std::string& error, const BackoffPolicy& backoff,
              std::chrono::milliseconds defer);
  /// Puts rows claimed by `worker` and still running back in the queue
  /// (a worker that gave up waiting for them at shutdown). Returns how many.
  std::int64_t release(const std::string& worker);
  /// Rows left running by a worker that died (claimed before `older_than` ago).
  std::int64_t requeue_stale(std::chrono::seconds older_than);
  QueueCounts counts();

 private:
  pqxx::connection& conn_;
};

}  // namespace promptsales::jobs
