#include "promptsales/common/backup/backup_restorer.hpp"

#include "object_stream.hpp"
#include "pg_access.hpp"
#include "promptsales/common/config.hpp"
#include "promptsales/common/crypto/integrity_error.hpp"
#include "promptsales/common/errors.hpp"
#include "subprocess.hpp"

namespace promptsales::backup {
namespace {

const DatabaseDump& choose(const BackupManifest& m, const std::optional<std::string>& database) {
  std::string names;
  for (const auto& d : m.databases) names += (names.empty() ? "" : ", ") + d.name;
  if (database) {
    if (const auto* d = m.find(*database)) return *d;
    throw ValidationError("--database", "backup " + m.id + " holds no database '" + *database + "' (it has: " + names + ")");
  }
  if (m.databases.size() == 1) return m.databases.front();
  throw ValidationError("--database", "backup " + m.id + " holds several databases (" + names + "): name one");
}

}  // namespace

RestoreReport restore_backup(const BackupContext& ctx, const RestoreOptions& o) {
  const auto manifest = read_manifest(ctx.repository, ctx.key, o.backup_id);
  const auto& dump = choose(manifest, o.database);
  RestoreReport report;
  report.backup_id = o.backup_id;
  report.database = dump.name;
  report.target = mask_url_password(o.target_url);

  {
    auto target = detail::connect(o.target_url);
    pqxx::nontransaction tx(*target);
    const auto existing = detail::user_tables(tx);
    if (!existing.empty() && !o.force) {
      throw ValidationError("--target-database", report.target + " is not empty (" + std::to_string(existing.size()) +
                                                     " tables, e.g. " + existing.front() +
                                                     "): restore into an empty database, or pass --force to replace them");
    }
  }

  ctx.progress("restore " + o.backup_id + ": " + dump.name + " into " + report.target);
  const auto login = detail::split_password(o.target_url);
  detail::SubprocessOptions spawn;
  // One transaction: a stream refused half way (or a failing statement) leaves the target as it was.
  spawn.argv = {ctx.pg_bin + "/pg_restore", "--dbname=" + login.url, "--no-password", "--no-owner",
                "--no-privileges", "--exit-on-error", "--single-transaction"};
  if (o.force) {
    spawn.argv.push_back("--clean");
    spawn.argv.push_back("--if-exists");
  }
  spawn.extra_env = detail::password_env(login);
  spawn.pipe_stdin = true;
  detail::Subprocess pg_restore(spawn);
  bool stopped = false;
  // Throws before the last chunk reaches pg_restore if anything is wrong; the
  // Subprocess destructor then kills pg_restore, whose transaction rolls back.
  const auto read = detail::read_dump_object(ctx, o.backup_id, dump, [&](std::string_view b) {
    if (!stopped && !pg_restore.write_stdin(b)) stopped = true;
  });
  report.plaintext_bytes = read.plaintext_bytes;
  const int status = pg_restore.wait();
  if (status != 0 || stopped) {
    throw Unavailable("pg_restore of " + dump.name + " into " + report.target + " failed (exit " +
                      std::to_string(status) + "): " + detail::last_lines(pg_restore.stderr_text()));
  }

  auto target = detail::connect(o.target_url);
  pqxx::read_transaction tx(*target);
  std::string mismatches;
  for (const auto& [table, expected] : dump.tables) {
    TableCheck check{table, expected, -1};
    try {
      pqxx::subtransaction sub(tx);
      check.restored = sub.exec("SELECT count(*) FROM ONLY " + detail::quoted_table(sub, table))[0][0].as<std::int64_t>();
    } catch (const pqxx::sql_error&) {
      check.restored = -1;  // the table is missing
    }
    if (check.restored != check.expected) {
      mismatches += (mismatches.empty() ? "" : "; ") + table + ": " +
                    (check.restored < 0 ? std::string("missing") : std::to_string(check.restored) + " rows") +
                    ", manifest says " + std::to_string(check.expected);
    }
    report.tables.push_back(check);
  }
  if (!mismatches.empty()) {
    throw crypto::IntegrityError("restore of " + dump.name + " into " + report.target +
                                 " does not match backup " + o.backup_id + ": " + mismatches);
  }
  ctx.progress("restore " + o.backup_id + ": " + dump.name + ": " + std::to_string(report.tables.size()) +
               " tables match the manifest");
  return report;
}

}  // namespace promptsales::backup
