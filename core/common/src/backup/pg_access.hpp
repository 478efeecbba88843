#pragma once
// PostgreSQL pieces the backup operations share: the databases of an
// installation, table row counts, applied migrations, and connection
// strings split so that the password travels in PGPASSWORD, never argv.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <pqxx/pqxx>

namespace promptsales::backup::detail {

struct InstallationDatabase {
  std::string name;  ///< "control" or the sub-company code
  std::string kind;
  std::string url;
};

/// The control database, then every enabled sub-company database of its registry.
std::vector<InstallationDatabase> installation_databases(const std::string& control_url);

/// A libpq URL (or key/value string) without its password, and the password.
struct PgLogin {
  std::string url;
  std::string password;
};
PgLogin split_password(const std::string& url);
/// {"PGPASSWORD": password} when there is one.
std::map<std::string, std::string> password_env(const PgLogin& login);

/// Ordinary tables (not system or extension ones) as "schema.table".
std::vector<std::string> user_tables(pqxx::transaction_base& tx);
/// Rows of each user table, counted in the transaction's snapshot.
std::map<std::string, std::int64_t> count_rows(pqxx::transaction_base& tx);
/// Names in schema_migrations by version (empty if there is no such table).
std::vector<std::string> applied_migrations(pqxx::transaction_base& tx);
/// `"schema"."table"` from "schema.table".
std::string quoted_table(pqxx::transaction_base& tx, const std::string& qualified);

/// Opens a connection; Unavailable (naming the masked URL) when it cannot.
std::unique_ptr<pqxx::connection> connect(const std::string& url);

}  // namespace promptsales::backup::detail
