#include "promptsales/common/jobs/job_lock.hpp"

#include <pqxx/pqxx>

#include "promptsales/common/db/errors.hpp"

namespace promptsales::jobs {

std::int64_t job_lock_key(std::string_view job_name) noexcept {
  std::uint64_t h = 14695981039346656037ULL;
  auto mix = [&h](std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ULL;
    }
  };
  // The prefix keeps job keys apart from the migration lock and any other
  // advisory lock a future feature takes.
  mix("promptsales.job:");
  mix(job_name);
  return static_cast<std::int64_t>(h);
}

JobLock::JobLock(pqxx::connection& session, std::string_view job_name)
    : session_(session), key_(job_lock_key(job_name)) {
  try {
    pqxx::nontransaction tx(session_);
    acquired_ = tx.exec_params1("SELECT pg_try_advisory_lock($1)", key_)[0].as<bool>();
  } catch (...) {
    db::rethrow_translated();
  }
}

JobLock::~JobLock() {
  if (!acquired_) return;
  try {
    pqxx::nontransaction tx(session_);
    tx.exec_params("SELECT pg_advisory_unlock($1)", key_);
  } catch (...) {
    // The connection broke: the server released the lock with it.
  }
}

}  // namespace promptsales::jobs
