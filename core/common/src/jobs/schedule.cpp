#include "promptsales/common/jobs/schedule.hpp"

#include <set>

#include "promptsales/common/errors.hpp"
#include "promptsales/common/jobs/job_catalog.hpp"

namespace promptsales::jobs {
namespace {

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

}  // namespace

std::vector<ScheduleEntry> parse_schedule(std::string_view text, const JobCatalog* catalog) {
  std::vector<ScheduleEntry> out;
  std::set<std::string> seen;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto semi = text.find(';', start);
    const std::string entry = trim(text.substr(start, semi == std::string_view::npos ? std::string_view::npos : semi - start));
    start = semi == std::string_view::npos ? text.size() + 1 : semi + 1;
    if (entry.empty()) continue;
    const auto eq = entry.find('=');
    if (eq == std::string::npos) {
      throw ConfigError("jobs_schedule: entry '" + entry + "' is not job=cron (e.g. audit-purge=0 4 * * *)");
    }
    const std::string job = trim(std::string_view(entry).substr(0, eq));
    if (job.empty()) throw ConfigError("jobs_schedule: entry '" + entry + "' has no job name");
    if (!seen.insert(job).second) throw ConfigError("jobs_schedule: job " + job + " is scheduled twice");
    if (catalog && !catalog->find(job)) throw ConfigError("jobs_schedule: unknown job '" + job + "'");
    try {
      out.push_back({job, CronExpression::parse(std::string_view(entry).substr(eq + 1))});
    } catch (const ValidationError& e) {
      throw ConfigError("jobs_schedule: job " + job + ": " + e.what());
    }
  }
  return out;
}

}  // namespace promptsales::jobs
