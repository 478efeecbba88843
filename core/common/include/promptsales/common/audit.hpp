#pragma once
/// The audit log: who did what, when, to what, and how it ended. The CLI
/// writes synchronously (PgAuditLog); the HTTP server hands events to an
/// AsyncAuditWriter so a request never waits for the insert.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

namespace promptsales {

namespace db {
class Pool;
}

enum class AuditOutcome { success, failure, denied };
std::string_view to_string(AuditOutcome o) noexcept;

struct AuditEvent {
  /// Set when recorded if empty; otherwise an ISO-8601 instant.
  std::optional<std::string> at;
  std::string actor;   ///< "user:<sub>", "cli:<OS user>", "job:<name>"
  std::string action;  ///< "user.register", "campaign.update", "auth.login_failed", ...
  std::optional<std::string> target;
  std::optional<std::int64_t> organization_id;
  AuditOutcome outcome = AuditOutcome::success;
  std::optional<std::string> client_ip;
  /// Never put secrets or personal data here: the log is not encrypted.
  nlohmann::json details = nlohmann::json::object();
};

/// Where audit events go.
class AuditSink {
 public:
  virtual ~AuditSink() = default;
  virtual void record(const AuditEvent& event) = 0;
};

/// A stored entry.
struct AuditEntry {
  std::int64_t id = 0;
  std::string at;
  std::string actor;
  std::string action;
  std::optional<std::string> target;
  std::optional<std::int64_t> organization_id;
  std::string outcome;
  std::optional<std::string> client_ip;
  nlohmann::json details;
};

struct AuditQuery {
  std::optional<std::string> since;  ///< normalized ISO-8601, inclusive
  std::optional<std::string> until;  ///< exclusive
  std::optional<std::string> actor;
  std::optional<std::string> action;
  int limit = 100;
};

struct PurgeResult {
  std::int64_t deleted = 0;  ///< or, in a dry run, would be deleted
  std::string cutoff;        ///< entries before this instant
  bool dry_run = false;
};

/// Synchronous writes and the operator's reads and purges.
class PgAuditLog final : public AuditSink {
 public:
  explicit PgAuditLog(db::Pool& control) : control_(control) {}
  /// Inserts now; throws on failure (the CLI would rather fail than act unaudited).
  void record(const AuditEvent& event) override;
  /// Newest first.
  std::vector<AuditEntry> list(const AuditQuery& query);
  /// Deletes entries older than `days` days, `batch` rows per transaction,
  /// so a large purge never holds long locks.
  PurgeResult purge(int days, bool dry_run, int batch = 5000);

 private:
  db::Pool& control_;
};

/// Inserts `events` in one statement (one round trip).
void insert_audit_events(db::Pool& control, const std::vector<AuditEvent>& events);

struct AsyncAuditOptions {
  std::size_t capacity = 10000;  ///< queued events; beyond it, events are dropped and counted
  std::size_t batch_size = 200;
  std::chrono::milliseconds flush_interval{200};
};

struct AsyncAuditStats {
  std::uint64_t recorded = 0;  ///< accepted into the queue
  std::uint64_t written = 0;
  std::uint64_t dropped = 0;  ///< queue full
  std::uint64_t failed = 0;   ///< lost to an insert that failed
};

/// A bounded queue drained by one background thread that inserts in batches.
/// record() never blocks on the database. Destruction flushes what is queued.
class AsyncAuditWriter final : public AuditSink {
 public:
  AsyncAuditWriter(db::Pool& control, AsyncAuditOptions options = {});
  ~AsyncAuditWriter() override;
  AsyncAuditWriter(const AsyncAuditWriter&) = delete;
  AsyncAuditWriter& operator=(const AsyncAuditWriter&) = delete;

  void record(const AuditEvent& event) override;
  /// Waits until everything queued before the call is written (or failed).
  void flush();
  AsyncAuditStats stats() const;

 private:
  void run();
  db::Pool& control_;
  AsyncAuditOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable drained_;
  std::deque<AuditEvent> queue_;
  std::size_t in_flight_ = 0;
  bool stopping_ = false;
  AsyncAuditStats stats_;
  std::thread thread_;
};

/// Parses --since/--until: an ISO-8601 date or instant, or a duration before
/// now ("90m", "24h", "7d"). Returns the normalized instant; throws
/// ValidationError naming `field`.
std::string parse_audit_time(std::string_view text, std::string_view field);

}  // namespace promptsales
