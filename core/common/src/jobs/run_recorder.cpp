#include "promptsales/common/jobs/run_recorder.hpp"

#include <unistd.h>

#include <pqxx/pqxx>

#include "promptsales/common/db/errors.hpp"

namespace promptsales::jobs {
namespace {

constexpr const char* kColumns =
    "id, job, params::text, trigger, queue_id, run_by, "
    "to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), "
    "to_char(finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), "
    "outcome, exit_code, processed, failed, counts::text, message, error, "
    "extract(epoch FROM finished_at - started_at)::float8";

RunRecord to_record(const pqxx::row& r) {
  RunRecord rec;
  rec.id = r[0].as<std::int64_t>();
  rec.job = r[1].c_str();
  rec.params = nlohmann::json::parse(r[2].c_str());
  rec.trigger = r[3].c_str();
  rec.queue_id = r[4].get<std::int64_t>();
  rec.run_by = r[5].c_str();
  rec.started_at = r[6].c_str();
  rec.finished_at = r[7].get<std::string>();
  rec.outcome = r[8].get<std::string>();
  rec.exit_code = r[9].get<int>();
  rec.processed = r[10].as<std::int64_t>();
  rec.failed = r[11].as<std::int64_t>();
  rec.counts = nlohmann::json::parse(r[12].c_str());
  rec.message = r[13].get<std::string>();
  rec.error = r[14].get<std::string>();
  rec.duration_seconds = r[15].get<double>();
  return rec;
}

}  // namespace

std::string process_identity() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return std::string(host[0] ? host : "unknown") + ":" + std::to_string(getpid());
}

std::int64_t RunRecorder::start(const std::string& job, const nlohmann::json& params, Trigger trigger,
                                std::optional<std::int64_t> queue_id) {
  static const std::string identity = process_identity();
  try {
    pqxx::nontransaction tx(conn_);
    return tx
        .exec_params1("INSERT INTO job_runs (job, params, trigger, queue_id, run_by) VALUES ($1, $2::jsonb, $3, $4, $5) "
                      "RETURNING id",
                      job, params.dump(), trigger == Trigger::cli ? "cli" : "worker", queue_id, identity)[0]
        .as<std::int64_t>();
  } catch (...) {
    db::rethrow_translated();
  }
}

void RunRecorder::finish(std::int64_t run_id, const JobResult& result, const std::string& error) {
  try {
    pqxx::nontransaction tx(conn_);
    const std::optional<std::string> message =
        result.message.empty() ? std::nullopt : std::optional<std::string>(result.message);
    const std::optional<std::string> err = error.empty() ? std::nullopt : std::optional<std::string>(error);
    tx.exec_params(
        "UPDATE job_runs SET finished_at = clock_timestamp(), outcome = $2, exit_code = $3, processed = $4, "
        "failed = $5, counts = $6::jsonb, message = $7, error = $8 WHERE id = $1",
        run_id, std::string(to_string(result.outcome)), static_cast<int>(exit_code_of(result.outcome)),
        result.processed, result.failed, result.counts.dump(), message, err);
  } catch (...) {
    db::rethrow_translated();
  }
}

std::vector<RunRecord> RunRecorder::history(const HistoryQuery& q) {
  try {
    pqxx::nontransaction tx(conn_);
    const auto rows = tx.exec_params(std::string("SELECT ") + kColumns +
                                         " FROM job_runs WHERE ($1::text IS NULL OR job = $1) AND "
                                         "($2::timestamptz IS NULL OR started_at >= $2::timestamptz) "
                                         "ORDER BY started_at DESC, id DESC LIMIT $3",
                                     q.job, q.since, q.limit);
    std::vector<RunRecord> out;
    for (const auto& r : rows) out.push_back(to_record(r));
    return out;
  } catch (...) {
    db::rethrow_translated();
  }
}

std::vector<RunRecord> RunRecorder::last_runs() {
  try {
    pqxx::nontransaction tx(conn_);
    const auto rows = tx.exec(std::string("SELECT DISTINCT ON (job) ") + kColumns +
                              " FROM job_runs WHERE finished_at IS NOT NULL ORDER BY job, started_at DESC, id DESC");
    std::vector<RunRecord> out;
    for (const auto& r : rows) out.push_back(to_record(r));
    return out;
  } catch (...) {
    db::rethrow_translated();
  }
}

}  // namespace promptsales::jobs
