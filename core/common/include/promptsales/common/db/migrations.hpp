#pragma once
/// Schema migrations: plain SQL files `sql/<kind>/NNNN_name.sql`, applied in
/// order, each in its own transaction, recorded with a SHA-256 checksum, under
/// an advisory lock so two migrators never interleave. An applied file that
/// changed afterwards is refused: fix forward with a new file instead.

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/connection>

namespace promptsales::db {

struct Migration {
  int version = 0;
  std::string name;      ///< file name without extension, e.g. "0001_campaigns"
  std::string sql;
  std::string checksum;  ///< SHA-256 of the file's bytes
};

/// The database kinds with migrations in this binary ("control", "ads", ...).
std::vector<std::string> migration_kinds();

/// Migrations of `kind` compiled into the binary, by version. Throws
/// ConfigError on a malformed file name or a duplicate version.
std::vector<Migration> embedded_migrations(const std::string& kind);

/// The same, read from `<dir>/<kind>/` (for `--sql-dir`).
std::vector<Migration> directory_migrations(const std::string& dir, const std::string& kind);

enum class MigrationState { pending, applied, changed, unknown };

struct MigrationStatus {
  int version = 0;
  std::string name;
  MigrationState state = MigrationState::pending;
  std::optional<std::string> applied_at;  ///< ISO timestamp
  std::optional<long> execution_ms;
};

struct MigrateResult {
  std::vector<std::string> applied;  ///< names, in order
  std::size_t already_applied = 0;
};

class Migrator {
 public:
  Migrator(std::string kind, std::vector<Migration> migrations);

  /// Every migration known to the file set or the database, by version.
  std::vector<MigrationStatus> status(pqxx::connection& conn) const;

  /// Applies pending migrations. With `dry_run`, only reports what it would
  /// apply. Throws ConfigError if an applied migration's file changed or the
  /// database holds migrations of another kind.
  MigrateResult migrate(pqxx::connection& conn, bool dry_run,
                        const std::function<void(const std::string&)>& on_applied = {}) const;

 private:
  std::string kind_;
  std::vector<Migration> migrations_;
};

}  // namespace promptsales::db
