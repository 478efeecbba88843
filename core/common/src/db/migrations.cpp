#include "promptsales/common/db/migrations.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include <pqxx/pqxx>

#include "promptsales/common/embedded_files.hpp"
#include "promptsales/common/errors.hpp"
#include "promptsales/common/hash.hpp"

namespace promptsales::db {
namespace {

// One lock for all migrators of a database, whatever their kind.
constexpr long long kMigrationLockKey = 7215350101;
constexpr auto kLockWait = std::chrono::seconds(60);

Migration parse_migration(const std::string& file_name, std::string sql, const std::string& where) {
  // NNNN_name.sql
  const auto underscore = file_name.find('_');
  const bool digits = underscore != std::string::npos && underscore > 0 && underscore <= 9 &&
                      std::all_of(file_name.begin(), file_name.begin() + static_cast<long>(underscore),
                                  [](unsigned char c) { return std::isdigit(c); });
  if (!digits || file_name.size() < 5 || file_name.substr(file_name.size() - 4) != ".sql") {
    throw ConfigError("migration '" + where + "': name must look like NNNN_description.sql");
  }
  Migration m;
  m.version = std::stoi(file_name.substr(0, underscore));
  m.name = file_name.substr(0, file_name.size() - 4);
  m.checksum = sha256_hex(sql);
  m.sql = std::move(sql);
  return m;
}

void sort_and_check(std::vector<Migration>& ms, const std::string& kind) {
  std::sort(ms.begin(), ms.end(), [](const auto& a, const auto& b) { return a.version < b.version; });
  for (std::size_t i = 1; i < ms.size(); ++i) {
    if (ms[i].version == ms[i - 1].version) {
      throw ConfigError("migrations of '" + kind + "': version " + std::to_string(ms[i].version) +
                        " is used by both " + ms[i - 1].name + " and " + ms[i].name);
    }
  }
}

void ensure_table(pqxx::connection& conn) {
  pqxx::nontransaction tx(conn);
  tx.exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      " version integer PRIMARY KEY,"
      " name text NOT NULL,"
      " kind text NOT NULL,"
      " checksum text NOT NULL,"
      " applied_at timestamptz NOT NULL DEFAULT now(),"
      " execution_ms integer NOT NULL)");
}

struct AppliedRow {
  std::string name;
  std::string kind;
  std::string checksum;
  std::string applied_at;
  long execution_ms = 0;
};

std::map<int, AppliedRow> applied_rows(pqxx::connection& conn) {
  pqxx::nontransaction tx(conn);
  const auto exists = tx.exec("SELECT to_regclass('schema_migrations') IS NOT NULL");
  std::map<int, AppliedRow> rows;
  if (!exists[0][0].as<bool>()) return rows;
  const auto r = tx.exec(
      "SELECT version, name, kind, checksum,"
      " to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), execution_ms"
      " FROM schema_migrations ORDER BY version");
  for (const auto& row : r) {
    rows[row[0].as<int>()] = AppliedRow{row[1].as<std::string>(), row[2].as<std::string>(),
                                        row[3].as<std::string>(), row[4].as<std::string>(), row[5].as<long>()};
  }
  return rows;
}

class AdvisoryLock {
 public:
  explicit AdvisoryLock(pqxx::connection& conn) : conn_(conn) {
    const auto deadline = std::chrono::steady_clock::now() + kLockWait;
    for (;;) {
      pqxx::nontransaction tx(conn_);
      if (tx.exec_params1("SELECT pg_try_advisory_lock($1)", kMigrationLockKey)[0].as<bool>()) return;
      if (std::chrono::steady_clock::now() > deadline) {
        throw Unavailable("another migration has held the migration lock for over 60 s; try again later");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }
  ~AdvisoryLock() {
    try {
      pqxx::nontransaction tx(conn_);
      tx.exec_params("SELECT pg_advisory_unlock($1)", kMigrationLockKey);
    } catch (...) {
      // The lock dies with the session anyway.
    }
  }
  AdvisoryLock(const AdvisoryLock&) = delete;
  AdvisoryLock& operator=(const AdvisoryLock&) = delete;

 private:
  pqxx::connection& conn_;
};

}  // namespace

std::vector<std::string> migration_kinds() {
  std::set<std::string> kinds;
  for (const auto& f : embedded::files()) {
    const auto slash = f.path.find('/');
    if (slash != std::string_view::npos) kinds.emplace(f.path.substr(0, slash));
  }
  return {kinds.begin(), kinds.end()};
}

std::vector<Migration> embedded_migrations(const std::string& kind) {
  std::vector<Migration> out;
  const std::string prefix = kind + "/";
  for (const auto& f : embedded::files()) {
    if (f.path.rfind(prefix, 0) != 0) continue;
    const std::string file_name(f.path.substr(prefix.size()));
    out.push_back(parse_migration(file_name, std::string(f.content), std::string(f.path)));
  }
  sort_and_check(out, kind);
  return out;
}

std::vector<Migration> directory_migrations(const std::string& dir, const std::string& kind) {
  namespace fs = std::filesystem;
  const fs::path folder = fs::path(dir) / kind;
  if (!fs::is_directory(folder)) throw ConfigError("migrations folder '" + folder.string() + "' does not exist");
  std::vector<Migration> out;
  for (const auto& entry : fs::directory_iterator(folder)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".sql") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream content;
    content << in.rdbuf();
    out.push_back(parse_migration(entry.path().filename().string(), content.str(), entry.path().string()));
  }
  sort_and_check(out, kind);
  return out;
}

Migrator::Migrator(std::string kind, std::vector<Migration> migrations)
    : kind_(std::move(kind)), migrations_(std::move(migrations)) {}

std::vector<MigrationStatus> Migrator::status(pqxx::connection& conn) const {
  auto applied = applied_rows(conn);
  std::vector<MigrationStatus> out;
  for (const auto& m : migrations_) {
    MigrationStatus s{m.version, m.name, MigrationState::pending, std::nullopt, std::nullopt};
    if (auto it = applied.find(m.version); it != applied.end()) {
      s.state = it->second.checksum == m.checksum ? MigrationState::applied : MigrationState::changed;
      s.applied_at = it->second.applied_at;
      s.execution_ms = it->second.execution_ms;
      applied.erase(it);
    }
    out.push_back(std::move(s));
  }
  for (const auto& [version, row] : applied) {
    out.push_back(MigrationStatus{version, row.name, MigrationState::unknown, row.applied_at, row.execution_ms});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.version < b.version; });
  return out;
}

MigrateResult Migrator::migrate(pqxx::connection& conn, bool dry_run,
                                const std::function<void(const std::string&)>& on_applied) const {
  // Lock first: CREATE TABLE IF NOT EXISTS itself races between sessions.
  AdvisoryLock lock(conn);
  if (!dry_run) ensure_table(conn);
  const auto applied = applied_rows(conn);
  for (const auto& [version, row] : applied) {
    if (row.kind != kind_) {
      throw ConfigError("database holds migration " + row.name + " of kind '" + row.kind +
                        "', not '" + kind_ + "': wrong database?");
    }
  }
  MigrateResult result;
  for (const auto& m : migrations_) {
    if (auto it = applied.find(m.version); it != applied.end()) {
      if (it->second.checksum != m.checksum) {
        throw ConfigError("migration " + kind_ + "/" + m.name + ".sql changed after it was applied on " +
                          it->second.applied_at + " (checksum " + it->second.checksum.substr(0, 12) +
                          " in the database, " + m.checksum.substr(0, 12) +
                          " in the file); restore the file and add a new migration instead");
      }
      ++result.already_applied;
      continue;
    }
    if (dry_run) {
      result.applied.push_back(m.name);
      continue;
    }
    const auto started = std::chrono::steady_clock::now();
    try {
      pqxx::work tx(conn);
      tx.exec(m.sql);
      const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
      tx.exec_params("INSERT INTO schema_migrations(version, name, kind, checksum, execution_ms) VALUES ($1,$2,$3,$4,$5)",
                     m.version, m.name, kind_, m.checksum, static_cast<int>(ms.count()));
      tx.commit();
    } catch (const pqxx::sql_error& e) {
      throw ConfigError("migration " + kind_ + "/" + m.name + ".sql failed and was rolled back: " + e.what());
    }
    result.applied.push_back(m.name);
    if (on_applied) on_applied(m.name);
  }
  return result;
}

}  // namespace promptsales::db
