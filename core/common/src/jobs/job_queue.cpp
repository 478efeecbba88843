#include "promptsales/common/jobs/job_queue.hpp"

#include <algorithm>

#include <pqxx/pqxx>

#include "promptsales/common/db/errors.hpp"

namespace promptsales::jobs {

std::chrono::milliseconds BackoffPolicy::delay_after(int attempts) const noexcept {
  const int doublings = std::clamp(attempts - 1, 0, 30);
  const auto raw = base.count() * (std::int64_t{1} << doublings);
  return std::chrono::milliseconds(std::min<std::int64_t>(raw, max.count()));
}

std::optional<std::int64_t> JobQueue::enqueue(const EnqueueRequest& request) {
  try {
    pqxx::nontransaction tx(conn_);
    const auto r = tx.exec_params(
        "INSERT INTO job_queue (job, params, run_after, max_attempts, scheduled_for) "
        "VALUES ($1, $2::jsonb, coalesce($3::timestamptz, now()), $4, $5::timestamptz) "
        "ON CONFLICT (job, scheduled_for) WHERE scheduled_for IS NOT NULL DO NOTHING RETURNING id",
        request.job, request.params.dump(), request.run_after, request.max_attempts, request.scheduled_for);
    if (r.empty()) return std::nullopt;
    return r[0][0].as<std::int64_t>();
  } catch (...) {
    db::rethrow_translated();
  }
}

std::optional<QueuedJob> JobQueue::claim(const std::string& worker) {
  try {
    // One statement: the row lock taken by the subquery's FOR UPDATE is
    // held until the UPDATE commits, and SKIP LOCKED makes concurrent
    // claimers pass over rows being taken instead of waiting on them.
    pqxx::nontransaction tx(conn_);
    const auto r = tx.exec_params(
        "UPDATE job_queue SET state = 'running', attempts = attempts + 1, locked_by = $1, locked_at = now(), "
        "updated_at = now() WHERE id = (SELECT id FROM job_queue WHERE state = 'queued' AND run_after <= now() "
        "ORDER BY run_after, id LIMIT 1 FOR UPDATE SKIP LOCKED) "
        "RETURNING id, job, params::text, attempts, max_attempts",
        worker);
    if (r.empty()) return std::nullopt;
    QueuedJob job;
    job.id = r[0][0].as<std::int64_t>();
    job.job = r[0][1].c_str();
    job.params = nlohmann::json::parse(r[0][2].c_str());
    job.attempts = r[0][3].as<int>();
    job.max_attempts = r[0][4].as<int>();
    return job;
  } catch (...) {
    db::rethrow_translated();
  }
}

void JobQueue::settle(const QueuedJob& job, Outcome outcome, const std::string& error, const BackoffPolicy& backoff,
                      std::chrono::milliseconds defer) {
  const std::optional<std::string> err = error.empty() ? std::nullopt : std::optional<std::string>(error);
  try {
    pqxx::nontransaction tx(conn_);
    if (outcome == Outcome::skipped) {
      tx.exec_params(
          "UPDATE job_queue SET state = 'queued', attempts = attempts - 1, locked_by = NULL, locked_at = NULL, "
          "run_after = now() + make_interval(secs => $2), last_error = $3, updated_at = now() WHERE id = $1",
          job.id, static_cast<double>(defer.count()) / 1000.0, err);
      return;
    }
    if (outcome == Outcome::failed && job.attempts < job.max_attempts) {
      const auto delay = backoff.delay_after(job.attempts);
      tx.exec_params(
          "UPDATE job_queue SET state = 'queued', locked_by = NULL, locked_at = NULL, "
          "run_after = now() + make_interval(secs => $2), last_error = $3, updated_at = now() WHERE id = $1",
          job.id, static_cast<double>(delay.count()) / 1000.0, err);
      return;
    }
    const char* state = outcome == Outcome::succeeded ? "succeeded" : outcome == Outcome::partial ? "partial" : "failed";
    tx.exec_params(
        "UPDATE job_queue SET state = $2, locked_by = NULL, last_error = $3, updated_at = now(), "
        "finished_at = now() WHERE id = $1",
        job.id, state, err);
  } catch (...) {
    db::rethrow_translated();
  }
}

std::int64_t JobQueue::release(const std::string& worker) {
  try {
    pqxx::nontransaction tx(conn_);
    const auto r = tx.exec_params(
        "UPDATE job_queue SET state = 'queued', locked_by = NULL, locked_at = NULL, updated_at = now(), "
        "last_error = 'worker stopped before the run finished' WHERE state = 'running' AND locked_by = $1",
        worker);
    return static_cast<std::int64_t>(r.affected_rows());
  } catch (...) {
    db::rethrow_translated();
  }
}

std::int64_t JobQueue::requeue_stale(std::chrono::seconds older_than) {
  try {
    pqxx::nontransaction tx(conn_);
    const auto r = tx.exec_params(
        "UPDATE job_queue SET state = 'queued', locked_by = NULL, locked_at = NULL, updated_at = now(), "
        "last_error = 'requeued: its worker stopped answering' "
        "WHERE state = 'running' AND locked_at < now() - make_interval(secs => $1)",
        static_cast<double>(older_than.count()));
    return static_cast<std::int64_t>(r.affected_rows());
  } catch (...) {
    db::rethrow_translated();
  }
}

QueueCounts JobQueue::counts() {
  try {
    pqxx::nontransaction tx(conn_);
    QueueCounts c;
    for (const auto& r : tx.exec("SELECT state, count(*) FROM job_queue GROUP BY state")) {
      const std::string state = r[0].c_str();
      const auto n = r[1].as<std::int64_t>();
      if (state == "queued") c.queued = n;
      if (state == "running") c.running = n;
      if (state == "succeeded") c.succeeded = n;
      if (state == "failed") c.failed = n;
      if (state == "partial") c.partial = n;
    }
    return c;
  } catch (...) {
    db::rethrow_translated();
  }
}

}  // namespace promptsales::jobs
