#pragma once
/// Queueing a job from any command (`jobs enqueue`, `lead import --queue`):
/// the parameters are checked against the job's declaration now, not when a
/// worker picks the row up hours later.

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace promptsales::app {
class AppContext;

struct JobToQueue {
  std::string job;
  std::map<std::string, std::string> params;
  std::optional<std::string> run_after;  ///< normalized ISO-8601; now if absent
  std::optional<int> max_attempts;       ///< jobs_max_attempts if absent
};

struct QueuedJobInfo {
  std::optional<std::int64_t> id;  ///< none when the row already existed
  std::string job;
  std::map<std::string, std::string> params;
  std::optional<std::string> run_after;
  int max_attempts = 0;
};

/// ValidationError naming the parameter for anything the job does not accept.
QueuedJobInfo enqueue_job(AppContext& ctx, const JobToQueue& request);

}  // namespace promptsales::app
