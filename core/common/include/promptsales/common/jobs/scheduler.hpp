#pragma once
/// `jobs scheduler`: enqueues each scheduled job when its cron expression
/// fires, for installations without Kubernetes. Each fire is enqueued once
/// even with several schedulers running: job_schedules remembers the last
/// fire time per job and is advanced under its row lock in the transaction
/// that inserts the queue row (and job_queue's unique (job, scheduled_for)
/// backs that up). A scheduler that was down enqueues only the latest
/// missed fire of each job, not every one.

#include <pqxx/connection>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "promptsales/common/jobs/schedule.hpp"


namespace promptsales::jobs {

struct Enqueued {
  std::string job;
  std::string scheduled_for;  ///< ISO-8601
  std::int64_t queue_id = 0;
};

class Scheduler {
 public:
  Scheduler(std::vector<ScheduleEntry> entries, int max_attempts = 5)
      : entries_(std::move(entries)), max_attempts_(max_attempts) {}
  /// One pass at time `now`: enqueues every job due since its last fire.
  /// A job seen for the first time starts counting from `now` (no catch-up).
  std::vector<Enqueued> tick(pqxx::connection& conn, std::chrono::system_clock::time_point now);
  const std::vector<ScheduleEntry>& entries() const noexcept { return entries_; }

 private:
  std::vector<ScheduleEntry> entries_;
  int max_attempts_;
};

}  // namespace promptsales::jobs
