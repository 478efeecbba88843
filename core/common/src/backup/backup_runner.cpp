#include "promptsales/common/backup/backup_runner.hpp"

#include <future>
#include <vector>

#include "pg_access.hpp"
#include "promptsales/common/backup/encrypted_stream.hpp"
#include "promptsales/common/config.hpp"
#include "promptsales/common/errors.hpp"
#include "promptsales/common/time.hpp"
#include "sha256_stream.hpp"
#include "subprocess.hpp"

namespace promptsales::backup {
namespace {

constexpr std::size_t kReadSize = 1 << 20;  // pg_dump's stdout is read a MiB at a time
constexpr std::uint64_t kProgressEvery = 256ull << 20;

std::string mib(std::uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  return buf;
}

// One database: a repeatable-read transaction exports its snapshot; pg_dump
// dumps exactly that snapshot while the same transaction counts the rows.
DatabaseDump dump_database(const BackupContext& ctx, const std::string& backup_id,
                           const detail::InstallationDatabase& db) {
  DatabaseDump dump;
  dump.name = db.name;
  dump.kind = db.kind;
  dump.object = backup_id + "/" + db.name + ".dump.enc";
  ctx.progress("backup " + backup_id + ": dumping " + db.name + " (" + db.kind + ")");

  auto conn = detail::connect(db.url);
  pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> tx(*conn);
  const auto snapshot = tx.exec("SELECT pg_export_snapshot()")[0][0].as<std::string>();
  dump.server_version = tx.exec("SHOW server_version")[0][0].as<std::string>();

  const auto login = detail::split_password(db.url);
  detail::SubprocessOptions spawn;
  spawn.argv = {ctx.pg_bin + "/pg_dump", "--format=custom", "--no-password", "--snapshot=" + snapshot,
                "--dbname=" + login.url};
  spawn.extra_env = detail::password_env(login);
  spawn.pipe_stdout = true;
  detail::Subprocess pg_dump(spawn);

  // Counting runs beside the dump, in the exported snapshot's transaction,
  // on one core: parallel workers would take CPU from pg_dump's compression.
  tx.exec("SET LOCAL max_parallel_workers_per_gather = 0");
  auto counts = std::async(std::launch::async, [&] {
    return std::make_pair(detail::count_rows(tx), detail::applied_migrations(tx));
  });

  auto object = ctx.repository.create(dump.object);
  detail::Sha256Stream sha;
  EncryptingWriter writer(ctx.key, [&](std::string_view b) {
    sha.update(b);
    object->write(b);
  });
  std::vector<char> buffer(kReadSize);
  std::uint64_t next_report = kProgressEvery;
  try {
    for (;;) {
      const auto n = pg_dump.read_stdout(buffer.data(), buffer.size());
      if (n == 0) break;
      writer.write(std::string_view(buffer.data(), n));
      if (writer.plaintext_bytes() >= next_report) {
        ctx.progress("backup " + backup_id + ": " + db.name + ": " + mib(writer.plaintext_bytes()));
        next_report += kProgressEvery;
      }
    }
    const int status = pg_dump.wait();
    auto [tables, migrations] = counts.get();
    if (status != 0) {
      throw Unavailable("pg_dump of " + db.name + " failed (exit " + std::to_string(status) +
                        "): " + detail::last_lines(pg_dump.stderr_text()));
    }
    writer.finish();
    object->commit();
    dump.tables = std::move(tables);
    dump.migrations = std::move(migrations);
  } catch (...) {
    object->abort();
    if (counts.valid()) counts.wait();
    throw;
  }
  tx.commit();
  dump.plaintext_size = writer.plaintext_bytes();
  dump.encrypted_size = writer.encrypted_bytes();
  dump.encrypted_sha256 = sha.hex();
  ctx.progress("backup " + backup_id + ": " + db.name + ": done, " + mib(dump.plaintext_size) + " dumped");
  return dump;
}

}  // namespace

BackupManifest run_backup(const BackupContext& ctx, const BackupRunOptions& options) {
  auto databases = detail::installation_databases(options.control_url);
  if (options.database) {
    std::vector<detail::InstallationDatabase> chosen;
    std::string names;
    for (const auto& d : databases) {
      if (d.name == *options.database) chosen.push_back(d);
      names += (names.empty() ? "" : ", ") + d.name;
    }
    if (chosen.empty()) {
      throw ValidationError("--database", "no database named '" + *options.database + "' (known: " + names + ")");
    }
    databases = std::move(chosen);
  }

  BackupManifest manifest;
  manifest.id = new_backup_id();
  manifest.started_at = now_iso8601();
  manifest.key_id = ctx.key.id();
  manifest.tool_version = PROMPTSALES_VERSION;
  manifest.full = !options.database.has_value();
  try {
    for (const auto& db : databases) manifest.databases.push_back(dump_database(ctx, manifest.id, db));
    manifest.finished_at = now_iso8601();
    write_manifest(ctx.repository, ctx.key, manifest);
  } catch (...) {
    // A failed backup leaves nothing behind that could be mistaken for one.
    for (const auto& d : manifest.databases) {
      try {
        ctx.repository.remove(d.object);
      } catch (...) {
      }
    }
    throw;
  }
  ctx.progress("backup " + manifest.id + ": complete, " + std::to_string(manifest.databases.size()) + " databases");
  return manifest;
}

}  // namespace promptsales::backup
