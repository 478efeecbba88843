#pragma once
// A migrated, seeded installation with a backup key and a private
// repository folder, and the helpers the backup tests share.
#include <catch2/catch.hpp>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>

#include <pqxx/pqxx>

#include "cli_output.hpp"
#include "promptsales/common/db/url.hpp"
#include "temp_dir.hpp"
#include "test_env.hpp"
#include "unique_name.hpp"

namespace promptsales::test {

inline constexpr const char* kBackupKey = "8f3c1d2e4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";

class BackupInstallation {
 public:
  BackupInstallation() : canary_("canary-" + unique_name("backup")) {
    env_ = installation_.env();
    env_["PROMPTSALES_CONFIG"] = "";
    env_["PROMPTSALES_REDIS_URL"] = "";
    env_["PROMPTSALES_BACKUP_KEY"] = kBackupKey;
    env_["PROMPTSALES_BACKUP_REPOSITORY"] = repository_.str() + "/repo";
    const auto seed = run_promptsales({"seed", "--organizations", "3", "--campaigns-per-org", "20"}, env_);
    INFO(describe(seed));
    REQUIRE(seed.exit_code == 0);
    pqxx::connection c(installation_.control_url());
    pqxx::work tx(c);
    tx.exec_params("INSERT INTO organizations(name) VALUES ($1)", canary_);
    tx.commit();
  }

  const std::map<std::string, std::string>& env() const { return env_; }
  const std::string& control_url() const { return installation_.control_url(); }
  std::string repository() const { return repository_.str() + "/repo"; }
  /// A string stored in the control database, for "no plaintext on disk" checks.
  const std::string& canary() const { return canary_; }

  /// {"control": url, "promptads": url, ...} from the registry.
  std::map<std::string, std::string> databases() const {
    std::map<std::string, std::string> out{{"control", control_url()}};
    pqxx::connection c(control_url());
    pqxx::nontransaction tx(c);
    for (const auto& row : tx.exec("SELECT code, database FROM subcompanies WHERE enabled")) {
      out[row[0].as<std::string>()] = db::resolve_location(row[1].as<std::string>(), control_url());
    }
    return out;
  }

  CommandResult run(std::vector<std::string> args, const std::map<std::string, std::string>& extra = {}) const {
    auto env = env_;
    for (const auto& [k, v] : extra) env[k] = v;
    return run_promptsales(args, env);
  }

  /// Runs `backup run -o json`; returns the backup id.
  std::string backup() const {
    const auto r = run({"backup", "run", "-o", "json"});
    INFO(describe(r));
    REQUIRE(r.exit_code == 0);
    return stdout_json(r).at("id").get<std::string>();
  }

 private:
  TestInstallation installation_;
  TempDir repository_{"backup_repo"};
  std::map<std::string, std::string> env_;
  std::string canary_;
};

/// Row count and a checksum of the contents of every user table.
inline std::map<std::string, std::string> table_fingerprints(const std::string& url) {
  pqxx::connection c(url);
  pqxx::nontransaction tx(c);
  std::map<std::string, std::string> out;
  const auto tables = tx.exec(
      "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) FROM pg_class c "
      "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' "
      "AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' "
      "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid "
      "AND d.deptype = 'e')");
  for (const auto& row : tables) {
    const auto t = row[0].as<std::string>();
    const auto f = tx.exec("SELECT count(*)::text || ':' || coalesce(md5(string_agg(x::text, E'\\n' ORDER BY x::text)), '') FROM " +
                           t + " x")[0][0].as<std::string>();
    out[t] = f;
  }
  return out;
}

/// An ISO-8601 UTC instant `days` from now (prune's --now).
inline std::string iso_days_from_now(int days) {
  const auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() + std::chrono::hours(24 * days));
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

inline void write_file(const std::filesystem::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << bytes;
}

/// Databases on the test server whose names start with `prefix`.
inline long long databases_named(const std::string& prefix) {
  pqxx::connection c(admin_database_url());
  pqxx::nontransaction tx(c);
  return tx.exec_params("SELECT count(*) FROM pg_database WHERE starts_with(datname, $1)", prefix)[0][0].as<long long>();
}

}  // namespace promptsales::test
