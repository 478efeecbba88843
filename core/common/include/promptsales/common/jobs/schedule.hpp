#pragma once
/// The `jobs_schedule` configuration: "name=cron;name=cron", e.g.
/// "audit-purge=0 4 * * *;probe=*/5 * * * *".

#include <string>
#include <string_view>
#include <vector>

#include "promptsales/common/jobs/cron.hpp"

namespace promptsales::jobs {
class JobCatalog;

struct ScheduleEntry {
  std::string job;
  CronExpression cron;
};

/// Throws ConfigError naming the job and the cron field at fault, a
/// malformed entry, a duplicate job, or (with a catalog) an unknown job.
std::vector<ScheduleEntry> parse_schedule(std::string_view text, const JobCatalog* catalog = nullptr);

}  // namespace promptsales::jobs
