#pragma once
/// Keeps two runs of one job from overlapping, across processes and hosts:
/// a session-level PostgreSQL advisory lock keyed by a stable hash of the
/// job's name. The lock lives as long as the connection holding it, so a
/// crashed run frees it when its connection closes.

#include <pqxx/connection>
#include <cstdint>
#include <string_view>


namespace promptsales::jobs {

/// FNV-1a 64 of "promptsales.job:" + name, as a signed bigint. Stable across
/// builds and platforms (std::hash is not), so every version agrees.
std::int64_t job_lock_key(std::string_view job_name) noexcept;

/// pg_try_advisory_lock on `session` for `job_name`; released on destruction
/// (or when the connection closes). Never waits.
class JobLock {
 public:
  JobLock(pqxx::connection& session, std::string_view job_name);
  ~JobLock();
  JobLock(const JobLock&) = delete;
  JobLock& operator=(const JobLock&) = delete;
  bool acquired() const noexcept { return acquired_; }

 private:
  pqxx::connection& session_;
  std::int64_t key_;
  bool acquired_ = false;
};

}  // namespace promptsales::jobs
