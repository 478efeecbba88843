#include "promptsales/common/backup/backup_drill.hpp"

#include <cctype>
#include <chrono>
#include <random>
#include <set>

#include "pg_access.hpp"
#include "promptsales/common/backup/backup_catalog.hpp"
#include "promptsales/common/backup/backup_restorer.hpp"
#include "promptsales/common/db/url.hpp"
#include "promptsales/common/errors.hpp"

namespace promptsales::backup {
namespace {

std::string scratch_name(const std::string& database) {
  std::string safe;
  for (char c : database) safe.push_back(std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(c)) : '_');
  std::mt19937_64 rng{std::random_device{}()};
  char suffix[16];
  std::snprintf(suffix, sizeof suffix, "%08llx", static_cast<unsigned long long>(rng() & 0xFFFFFFFFull));
  return "promptsales_drill_" + safe.substr(0, 30) + "_" + suffix;
}

void drop_scratch(const std::string& admin_url, const std::string& name) {
  auto admin = detail::connect(admin_url);
  pqxx::nontransaction tx(*admin);
  tx.exec("DROP DATABASE IF EXISTS " + tx.quote_name(name) + " WITH (FORCE)");
}

DrillResult drill_one(const BackupContext& ctx, const std::string& control_url, const std::string& database,
                      const std::string& backup_id) {
  DrillResult r;
  r.database = database;
  r.backup_id = backup_id;
  r.scratch_database = scratch_name(database);
  const auto started = std::chrono::steady_clock::now();
  const auto admin_url = db::with_database(control_url, "postgres");
  const auto scratch_url = db::with_database(control_url, r.scratch_database);
  ctx.progress("drill: " + database + " from backup " + backup_id + " into scratch database " + r.scratch_database);
  try {
    {
      auto admin = detail::connect(admin_url);
      pqxx::nontransaction tx(*admin);
      tx.exec("CREATE DATABASE " + tx.quote_name(r.scratch_database));
    }
    try {
      RestoreOptions o;
      o.backup_id = backup_id;
      o.target_url = scratch_url;
      o.database = database;
      const auto report = restore_backup(ctx, o);
      auto conn = detail::connect(scratch_url);
      pqxx::read_transaction tx(*conn);
      for (const auto& t : report.tables) {
        r.rows += t.restored;
        // The smoke query: rows of every table read back through the executor.
        if (t.restored > 0) tx.exec("SELECT * FROM " + detail::quoted_table(tx, t.table) + " LIMIT 5");
      }
      r.tables = report.tables.size();
      r.ok = true;
    } catch (const std::exception& e) {
      r.problem = e.what();
    }
    drop_scratch(admin_url, r.scratch_database);
  } catch (const std::exception& e) {
    if (r.problem.empty()) r.problem = e.what();
    try {
      drop_scratch(admin_url, r.scratch_database);
    } catch (...) {
    }
    r.ok = false;
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return r;
}

}  // namespace

std::vector<DrillResult> run_drill(const BackupContext& ctx, const std::string& control_url) {
  const auto entries = list_backups(ctx.repository, ctx.key);
  std::set<std::string> seen;
  std::vector<std::pair<std::string, std::string>> plan;  // database, backup id
  for (const auto& e : entries) {  // newest first: the first backup holding a database is its latest
    if (e.state != BackupState::complete) continue;
    for (const auto& d : e.manifest->databases) {
      if (seen.insert(d.name).second) plan.emplace_back(d.name, e.id);
    }
  }
  if (plan.empty()) throw NotFound("no complete backup in " + ctx.repository.describe() + " to drill");
  std::vector<DrillResult> out;
  for (const auto& [database, id] : plan) out.push_back(drill_one(ctx, control_url, database, id));
  return out;
}

}  // namespace promptsales::backup
