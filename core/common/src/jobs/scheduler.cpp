#include "promptsales/common/jobs/scheduler.hpp"

#include <pqxx/pqxx>

#include "promptsales/common/db/errors.hpp"
#include "promptsales/common/time.hpp"

namespace promptsales::jobs {
namespace {

using Clock = std::chrono::system_clock;

long long to_unix(Clock::time_point t) {
  return std::chrono::floor<std::chrono::seconds>(t.time_since_epoch()).count();
}

// The latest fire time in (last, now], if any.
std::optional<Clock::time_point> latest_fire(const CronExpression& cron, Clock::time_point last, Clock::time_point now) {
  auto next = cron.next_after(last);
  if (next > now) return std::nullopt;
  // A scheduler down for long must not walk every missed minute: start the
  // walk a day before now when `last` is older than that.
  if (now - next > std::chrono::hours(24)) {
    const auto recent = cron.next_after(now - std::chrono::hours(24));
    if (recent <= now) next = recent;
  }
  for (auto after = cron.next_after(next); after <= now; after = cron.next_after(next)) next = after;
  return next;
}

}  // namespace

std::vector<Enqueued> Scheduler::tick(pqxx::connection& conn, Clock::time_point now) {
  std::vector<Enqueued> out;
  const long long now_unix = to_unix(now);
  for (const auto& entry : entries_) {
    try {
      pqxx::work tx(conn);
      // First sight of a job: count from now, so enabling a schedule does
      // not fire for the past.
      tx.exec_params(
          "INSERT INTO job_schedules (job, last_scheduled_for) VALUES ($1, to_timestamp($2)) "
          "ON CONFLICT (job) DO NOTHING",
          entry.job, now_unix);
      // The row lock serializes schedulers: the second one waits here, then
      // reads the fire time the first one recorded and finds nothing due.
      const auto last_unix = tx.exec_params1(
                                   "SELECT floor(extract(epoch FROM last_scheduled_for))::bigint FROM job_schedules "
                                   "WHERE job = $1 FOR UPDATE",
                                   entry.job)[0]
                                 .as<long long>();
      const auto fire = latest_fire(entry.cron, Clock::time_point(std::chrono::seconds(last_unix)), now);
      if (!fire) {
        tx.commit();
        continue;
      }
      const long long fire_unix = to_unix(*fire);
      const auto r = tx.exec_params(
          "INSERT INTO job_queue (job, max_attempts, scheduled_for) VALUES ($1, $2, to_timestamp($3)) "
          "ON CONFLICT (job, scheduled_for) WHERE scheduled_for IS NOT NULL DO NOTHING RETURNING id",
          entry.job, max_attempts_, fire_unix);
      tx.exec_params("UPDATE job_schedules SET last_scheduled_for = to_timestamp($2), updated_at = now() WHERE job = $1",
                     entry.job, fire_unix);
      tx.commit();
      if (!r.empty()) out.push_back({entry.job, format_iso8601_utc(fire_unix, 0), r[0][0].as<std::int64_t>()});
    } catch (...) {
      db::rethrow_translated();
    }
  }
  return out;
}

}  // namespace promptsales::jobs
