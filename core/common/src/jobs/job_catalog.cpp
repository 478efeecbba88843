#include "promptsales/common/jobs/job_catalog.hpp"

#include <stdexcept>

#include "promptsales/common/errors.hpp"

namespace promptsales::jobs {

JobResult JobResult::from_counts(std::int64_t processed, std::int64_t failed, std::string message) {
  JobResult r;
  r.processed = processed;
  r.failed = failed;
  r.message = std::move(message);
  if (failed > 0) r.outcome = processed > 0 ? Outcome::partial : Outcome::failed;
  return r;
}

void JobCatalog::add(std::unique_ptr<Job> job) {
  const auto name = job->name();
  const bool well_formed = !name.empty() && name.size() <= 100 && name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") == std::string::npos;
  if (!well_formed) throw std::logic_error("job name '" + name + "' must be lower-case letters, digits and dashes");
  if (!jobs_.emplace(name, std::move(job)).second) throw std::logic_error("job '" + name + "' registered twice");
}

const Job* JobCatalog::find(const std::string& name) const {
  const auto it = jobs_.find(name);
  return it == jobs_.end() ? nullptr : it->second.get();
}

const Job& JobCatalog::get(const std::string& name) const {
  if (const auto* job = find(name)) return *job;
  std::string known;
  for (const auto& [n, j] : jobs_) known += (known.empty() ? "" : ", ") + n;
  throw ValidationError("job", "unknown job '" + name + "' (known: " + known + ")");
}

std::vector<const Job*> JobCatalog::all() const {
  std::vector<const Job*> out;
  for (const auto& [n, j] : jobs_) out.push_back(j.get());
  return out;
}

}  // namespace promptsales::jobs
