#pragma once
/// The jobs this binary knows, by name. Filled once at start-up
/// (jobs/catalog.cpp: one line per job), then only read.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "promptsales/common/jobs/job.hpp"

namespace promptsales::jobs {

class JobCatalog {
 public:
  /// Throws std::logic_error on a duplicate or malformed name (a programming error).
  void add(std::unique_ptr<Job> job);
  /// nullptr when unknown.
  const Job* find(const std::string& name) const;
  /// Throws ValidationError("job", "unknown job 'x'; known: a, b").
  const Job& get(const std::string& name) const;
  /// Sorted by name.
  std::vector<const Job*> all() const;

 private:
  std::map<std::string, std::unique_ptr<Job>> jobs_;
};

}  // namespace promptsales::jobs
