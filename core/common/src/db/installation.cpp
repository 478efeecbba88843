#include "promptsales/common/db/installation.hpp"

#include <pqxx/pqxx>

#include "promptsales/common/config.hpp"
#include "promptsales/common/db/url.hpp"
#include "promptsales/common/errors.hpp"
#include "promptsales/common/registry.hpp"

namespace promptsales::db {
namespace {

std::vector<Migration> migrations_for(const InstallationOptions& o, const std::string& kind) {
  return o.sql_dir.empty() ? embedded_migrations(kind) : directory_migrations(o.sql_dir, kind);
}

std::unique_ptr<pqxx::connection> open(const std::string& url) {
  try {
    return std::make_unique<pqxx::connection>(url);
  } catch (const pqxx::broken_connection& e) {
    throw Unavailable("cannot connect to " + mask_url_password(url) + ": " + e.what());
  }
}

bool database_exists(const std::string& url) {
  auto admin = open(with_database(url, "postgres"));
  pqxx::nontransaction tx(*admin);
  return !tx.exec_params("SELECT 1 FROM pg_database WHERE datname = $1", database_name(url)).empty();
}

DatabaseReport run_one(const InstallationOptions& o, const std::string& role, const std::string& kind,
                       const std::string& url, bool migrate) {
  DatabaseReport report{role, kind, mask_url_password(url), false, {}, 0, {}};
  if (migrate && o.create_databases) {
    if (o.dry_run) {
      report.created = !database_exists(url);
    } else {
      report.created = ensure_database(url);
    }
  }
  Migrator migrator(kind, migrations_for(o, kind));
  if (report.created && o.dry_run) {
    // Nothing to connect to yet: everything would be applied.
    for (const auto& m : migrations_for(o, kind)) report.applied.push_back(m.name);
    return report;
  }
  auto conn = open(url);
  if (migrate) {
    auto result = migrator.migrate(*conn, o.dry_run, [&](const std::string& name) {
      if (o.on_applied) o.on_applied(role, name);
    });
    report.applied = std::move(result.applied);
    report.already_applied = result.already_applied;
  }
  report.status = migrator.status(*conn);
  return report;
}

std::vector<DatabaseReport> run_all(const InstallationOptions& o, bool migrate) {
  std::vector<DatabaseReport> reports;
  reports.push_back(run_one(o, "control", "control", o.control_url, migrate));
  if (reports.back().created && o.dry_run) return reports;  // no registry to read yet
  auto control = open(o.control_url);
  {
    // A dry run or status before the first migration: there is no registry yet.
    pqxx::nontransaction tx(*control);
    if (tx.exec("SELECT to_regclass('subcompanies') IS NULL")[0][0].as<bool>()) return reports;
  }
  SubcompanyRegistry registry(o.control_url);
  for (const auto& s : registry.list(*control)) {
    if (!s.enabled) continue;
    reports.push_back(run_one(o, s.code, s.kind, s.url, migrate));
  }
  return reports;
}

}  // namespace

bool ensure_database(const std::string& url) {
  const std::string name = database_name(url);
  if (!is_plain_identifier(name)) {
    throw ConfigError("database name '" + name + "' in " + mask_url_password(url) + " is not a plain identifier");
  }
  auto admin = open(with_database(url, "postgres"));
  pqxx::nontransaction tx(*admin);
  if (!tx.exec_params("SELECT 1 FROM pg_database WHERE datname = $1", name).empty()) return false;
  try {
    // CREATE DATABASE takes no parameters; the name was validated above.
    tx.exec("CREATE DATABASE " + tx.quote_name(name));
  } catch (const pqxx::sql_error& e) {
    // Two migrators racing: the other one created it.
    if (std::string(e.sqlstate()) == "42P04") return false;
    throw ConfigError("cannot create database '" + name + "': " + e.what());
  }
  return true;
}

std::vector<DatabaseReport> migrate_installation(const InstallationOptions& options) {
  return run_all(options, true);
}

std::vector<DatabaseReport> installation_status(const InstallationOptions& options) {
  return run_all(options, false);
}

}  // namespace promptsales::db
