#pragma once
/// Writes the job_runs history: a row when a run starts, completed when it
/// ends (start, end, outcome, counts, message, error), and reads it back.

#include <pqxx/connection>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "promptsales/common/jobs/job.hpp"


namespace promptsales::jobs {

enum class Trigger { cli, worker };

struct RunRecord {
  std::int64_t id = 0;
  std::string job;
  nlohmann::json params;
  std::string trigger;
  std::optional<std::int64_t> queue_id;
  std::string run_by;
  std::string started_at;
  std::optional<std::string> finished_at;
  std::optional<std::string> outcome;  ///< none while running
  std::optional<int> exit_code;
  std::int64_t processed = 0;
  std::int64_t failed = 0;
  nlohmann::json counts;
  std::optional<std::string> message;
  std::optional<std::string> error;
  std::optional<double> duration_seconds;
};

struct HistoryQuery {
  std::optional<std::string> job;
  std::optional<std::string> since;  ///< normalized ISO-8601
  int limit = 50;
};

/// "host:pid", what run_by and locked_by hold.
std::string process_identity();

/// Each call is one statement on the given connection (autocommit).
class RunRecorder {
 public:
  explicit RunRecorder(pqxx::connection& conn) : conn_(conn) {}
  std::int64_t start(const std::string& job, const nlohmann::json& params, Trigger trigger,
                     std::optional<std::int64_t> queue_id);
  /// `error` is the failure's text for the log table (job errors, not secrets).
  void finish(std::int64_t run_id, const JobResult& result, const std::string& error = {});
  /// Newest first.
  std::vector<RunRecord> history(const HistoryQuery& query);
  /// The newest finished run of each job.
  std::vector<RunRecord> last_runs();

 private:
  pqxx::connection& conn_;
};

}  // namespace promptsales::jobs
