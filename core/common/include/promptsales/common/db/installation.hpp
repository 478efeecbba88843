#pragma once
/// An installation is the control database plus every sub-company database
/// its registry names. These functions migrate or inspect all of them.

#include <functional>
#include <string>
#include <vector>

#include "promptsales/common/db/migrations.hpp"

namespace promptsales::db {

struct DatabaseReport {
  std::string role;       ///< "control" or the sub-company code
  std::string kind;       ///< schema kind
  std::string url;        ///< masked
  bool created = false;   ///< the database did not exist and was created
  std::vector<std::string> applied;
  std::size_t already_applied = 0;
  std::vector<MigrationStatus> status;
};

struct InstallationOptions {
  std::string control_url;
  std::string sql_dir;          ///< empty: migrations compiled into the binary
  bool dry_run = false;
  bool create_databases = true; ///< CREATE DATABASE for missing ones on the same server
  std::function<void(const std::string& role, const std::string& migration)> on_applied;
};

/// Creates missing databases, then applies pending migrations to the control
/// database and to every enabled sub-company database, in that order.
std::vector<DatabaseReport> migrate_installation(const InstallationOptions& options);

/// Migration status of every database, without changing anything.
std::vector<DatabaseReport> installation_status(const InstallationOptions& options);

/// Creates database `url` points at (connecting to the server's `postgres`
/// database) if it does not exist. Returns true if it created it.
bool ensure_database(const std::string& url);

}  // namespace promptsales::db
