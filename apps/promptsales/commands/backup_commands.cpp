// `promptsales backup run|list|verify|restore|prune|drill`: encrypted
// backups of the control database and every sub-company database. The work
// is core/common's promptsales_backup; this file parses, calls and renders.
// Exit codes: README "Backups".
#include <chrono>
#include <cstdlib>
#include <iostream>

#include <CLI/CLI.hpp>

#include "app_context.hpp"
#include "commands/commands.hpp"
#include "output.hpp"
#include "promptsales/common/backup/backup_catalog.hpp"
#include "promptsales/common/backup/backup_drill.hpp"
#include "promptsales/common/backup/backup_pruner.hpp"
#include "promptsales/common/backup/backup_restorer.hpp"
#include "promptsales/common/backup/backup_runner.hpp"
#include "promptsales/common/backup/backup_verifier.hpp"
#include "promptsales/common/backup/repository_factory.hpp"
#include "promptsales/common/time.hpp"

namespace promptsales::app {
namespace {

using namespace promptsales::backup;

struct BackupOptions {
  std::optional<std::string> database;
  std::optional<std::string> id;
  std::optional<std::string> target;
  bool force = false;
  bool dry_run = false;
  std::optional<int> retention_days;
  std::optional<int> min_keep;
  std::optional<std::string> now;
};

// The key, the repository and the client programs, from the configuration.
struct Session {
  explicit Session(AppContext& app)
      : key(load_backup_key(app.config())),
        repository(open_repository(app.config())),
        context{*repository, key, app.config().str("pg_bin_dir"),
                [](const std::string& line) { std::cerr << "promptsales: " << line << "\n"; }} {}
  BackupKey key;
  std::unique_ptr<BackupRepository> repository;
  BackupContext context;
};

std::string human_bytes(std::uint64_t b) {
  char buf[32];
  if (b < 1024) return std::to_string(b) + " B";
  const double kib = static_cast<double>(b) / 1024.0;
  if (kib < 1024) {
    std::snprintf(buf, sizeof buf, "%.1f KiB", kib);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f MiB", kib / 1024.0);
  }
  return buf;
}

nlohmann::json manifest_summary(const BackupManifest& m) {
  nlohmann::json dbs = nlohmann::json::array();
  for (const auto& d : m.databases) {
    std::int64_t rows = 0;
    for (const auto& [t, n] : d.tables) rows += n;
    dbs.push_back({{"name", d.name}, {"kind", d.kind}, {"object", d.object}, {"encryptedSize", d.encrypted_size},
                   {"plaintextSize", d.plaintext_size}, {"encryptedSha256", d.encrypted_sha256},
                   {"tables", d.tables.size()}, {"rows", rows}, {"serverVersion", d.server_version},
                   {"migrations", d.migrations.size()}});
  }
  return {{"id", m.id}, {"startedAt", m.started_at}, {"finishedAt", m.finished_at}, {"keyId", m.key_id},
          {"full", m.full}, {"toolVersion", m.tool_version}, {"databases", dbs}};
}

void run_backup_command(AppContext& app, const BackupOptions& o) {
  Session s(app);
  BackupRunOptions run;
  run.control_url = app.config().str("database_url");
  run.database = o.database;
  const auto manifest = run_backup(s.context, run);
  if (app.json()) {
    print_json(manifest_summary(manifest));
    return;
  }
  Table table({"DATABASE", "KIND", "TABLES", "DUMP", "ENCRYPTED", "OBJECT"});
  for (const auto& d : manifest.databases) {
    table.add_row({d.name, d.kind, std::to_string(d.tables.size()), human_bytes(d.plaintext_size),
                   human_bytes(d.encrypted_size), d.object});
  }
  table.print(std::cout);
  std::cout << "backup " << manifest.id << " complete in " << s.repository->describe() << "\n";
}

void run_list(AppContext& app) {
  Session s(app);
  const auto entries = list_backups(*s.repository, s.key);
  if (app.json()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& e : entries) {
      nlohmann::json j = {{"id", e.id}, {"state", to_string(e.state)}, {"storedBytes", e.stored_bytes},
                          {"objects", e.objects.size()}};
      if (e.manifest) j["manifest"] = manifest_summary(*e.manifest);
      if (!e.problem.empty()) j["problem"] = e.problem;
      out.push_back(j);
    }
    print_json(out);
    return;
  }
  Table table({"ID", "STATE", "SCOPE", "DATABASES", "SIZE", "FINISHED"});
  for (const auto& e : entries) {
    std::string dbs = "-";
    if (e.manifest) {
      dbs.clear();
      for (const auto& d : e.manifest->databases) dbs += (dbs.empty() ? "" : ",") + d.name;
    }
    table.add_row({e.id, to_string(e.state), e.manifest ? (e.manifest->full ? "full" : "partial") : "-", dbs,
                   human_bytes(e.stored_bytes), e.manifest ? e.manifest->finished_at : "-"});
  }
  table.print(std::cout);
  if (entries.empty()) std::cerr << "no backups in " << s.repository->describe() << "\n";
}

// The id given, or the newest complete backup.
std::string backup_id_or_latest(Session& s, const std::optional<std::string>& id) {
  if (id) return *id;
  const auto latest = latest_backup(list_backups(*s.repository, s.key));
  if (!latest) throw NotFound("no complete backup in " + s.repository->describe());
  return latest->id;
}

void run_verify(AppContext& app, const BackupOptions& o) {
  Session s(app);
  const auto report = verify_backup(s.context, backup_id_or_latest(s, o.id));
  if (app.json()) {
    nlohmann::json objects = nlohmann::json::array();
    for (const auto& v : report.objects) {
      objects.push_back({{"database", v.database}, {"object", v.object}, {"ok", v.ok}, {"problem", v.problem},
                         {"plaintextSize", v.plaintext_bytes}, {"archiveEntries", v.archive_entries}});
    }
    print_json({{"id", report.backup_id}, {"ok", report.ok()}, {"objects", objects}});
  } else {
    Table table({"DATABASE", "RESULT", "DUMP", "ENTRIES", "PROBLEM"});
    for (const auto& v : report.objects) {
      table.add_row({v.database, v.ok ? "ok" : "FAILED", human_bytes(v.plaintext_bytes),
                     std::to_string(v.archive_entries), v.problem});
    }
    table.print(std::cout);
    std::cout << "backup " << report.backup_id << (report.ok() ? " verified" : " FAILED verification") << "\n";
  }
  if (!report.ok()) {
    for (const auto& v : report.objects) {
      if (!v.ok) std::cerr << "promptsales: error: " << v.problem << "\n";
    }
    throw ExitWith{ExitCode::failure};
  }
}

void run_restore(AppContext& app, const BackupOptions& o) {
  RestoreOptions r;
  r.backup_id = *o.id;
  if (o.target) {
    r.target_url = *o.target;
  } else if (const char* env = std::getenv("PROMPTSALES_RESTORE_TARGET_URL"); env && *env) {
    r.target_url = env;
  } else {
    throw ValidationError("--target-database", "required (or set PROMPTSALES_RESTORE_TARGET_URL)");
  }
  r.database = o.database;
  r.force = o.force;
  Session s(app);
  const auto report = restore_backup(s.context, r);
  if (app.json()) {
    nlohmann::json tables = nlohmann::json::array();
    for (const auto& t : report.tables) tables.push_back({{"table", t.table}, {"rows", t.restored}});
    print_json({{"id", report.backup_id}, {"database", report.database}, {"target", report.target},
                {"plaintextSize", report.plaintext_bytes}, {"tables", tables}});
    return;
  }
  Table table({"TABLE", "ROWS"});
  for (const auto& t : report.tables) table.add_row({t.table, std::to_string(t.restored)});
  table.print(std::cout);
  std::cout << "restored " << report.database << " from backup " << report.backup_id << " into " << report.target
            << "; every row count matches the manifest\n";
}

long long parse_now(const std::optional<std::string>& now) {
  if (!now) {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  const auto normalized = normalize_iso8601(*now);
  if (!normalized) throw ValidationError("--now", "not an ISO-8601 timestamp: " + *now);
  return iso8601_to_unix(*normalized);
}

void run_prune(AppContext& app, const BackupOptions& o) {
  Session s(app);
  PruneOptions p;
  p.retention_days = o.retention_days ? *o.retention_days
                                      : static_cast<int>(app.config().integer("backup_retention_days", 1, 36500));
  p.min_keep = o.min_keep ? *o.min_keep : static_cast<int>(app.config().integer("backup_min_keep", 0, 10000));
  p.dry_run = o.dry_run;
  p.now_unix = parse_now(o.now);
  const auto decisions = prune_backups(s.context, p);
  std::size_t removed = 0;
  for (const auto& d : decisions) removed += d.remove ? 1 : 0;
  if (app.json()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& d : decisions) {
      out.push_back({{"id", d.backup_id}, {"state", d.state}, {"full", d.full}, {"ageDays", d.age_days},
                     {"delete", d.remove}, {"reason", d.reason}});
    }
    print_json({{"dryRun", p.dry_run}, {"retentionDays", p.retention_days}, {"minKeep", p.min_keep},
                {p.dry_run ? "wouldDelete" : "deleted", removed}, {"backups", out}});
    return;
  }
  Table table({"ID", "STATE", "AGE", "ACTION", "REASON"});
  for (const auto& d : decisions) {
    table.add_row({d.backup_id, d.state, std::to_string(d.age_days) + "d",
                   d.remove ? (p.dry_run ? "would delete" : "deleted") : "keep", d.reason});
  }
  table.print(std::cout);
  std::cout << (p.dry_run ? "would delete " : "deleted ") << removed << " of " << decisions.size() << " backups\n";
}

void run_drill_command(AppContext& app) {
  Session s(app);
  const auto results = run_drill(s.context, app.config().str("database_url"));
  std::size_t failed = 0;
  for (const auto& r : results) failed += r.ok ? 0 : 1;
  if (app.json()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : results) {
      out.push_back({{"database", r.database}, {"backupId", r.backup_id}, {"scratchDatabase", r.scratch_database},
                     {"ok", r.ok}, {"problem", r.problem}, {"tables", r.tables}, {"rows", r.rows},
                     {"seconds", r.seconds}});
    }
    print_json({{"ok", failed == 0}, {"databases", out}});
  } else {
    Table table({"DATABASE", "BACKUP", "RESULT", "TABLES", "ROWS", "SECONDS", "PROBLEM"});
    for (const auto& r : results) {
      char secs[32];
      std::snprintf(secs, sizeof secs, "%.1f", r.seconds);
      table.add_row({r.database, r.backup_id, r.ok ? "ok" : "FAILED", std::to_string(r.tables), std::to_string(r.rows),
                     secs, r.problem});
    }
    table.print(std::cout);
  }
  if (failed > 0) {
    for (const auto& r : results) {
      if (!r.ok) std::cerr << "promptsales: error: drill of " << r.database << ": " << r.problem << "\n";
    }
    throw ExitWith{failed == results.size() ? ExitCode::failure : ExitCode::partial};
  }
}

}  // namespace

void register_backup_commands(CLI::App& app, AppContext& ctx) {
  auto* backup = app.add_subcommand(
      "backup", "Encrypted backups (AES-256-GCM) of the control and every sub-company database");
  backup->require_subcommand(1);
  auto o = std::make_shared<BackupOptions>();

  auto* run = backup->add_subcommand("run", "pg_dump every database, encrypted, into backup_repository");
  run->add_option("--database", o->database, "Only this database: control or a sub-company code");
  run->callback([&ctx, o] { run_backup_command(ctx, *o); });

  auto* list = backup->add_subcommand("list", "Backups in the repository, newest first (complete, incomplete, invalid)");
  list->callback([&ctx] { run_list(ctx); });

  auto* verify = backup->add_subcommand(
      "verify", "Decrypt every object, check sizes and SHA-256, run pg_restore --list on the stream");
  verify->add_option("id", o->id, "Backup id (default: the newest complete backup)");
  verify->callback([&ctx, o] { run_verify(ctx, *o); });

  auto* restore = backup->add_subcommand("restore", "Restore one database of a backup into an empty database");
  restore->add_option("id", o->id, "Backup id")->required();
  restore->add_option("--target-database", o->target,
                      "libpq URL of the target (or PROMPTSALES_RESTORE_TARGET_URL, which keeps a password off argv)");
  restore->add_option("--database", o->database, "Which database of the backup (needed when it holds several)");
  restore->add_flag("--force", o->force, "Replace the tables a non-empty target holds");
  restore->callback([&ctx, o] { run_restore(ctx, *o); });

  auto* prune = backup->add_subcommand("prune", "Delete backups past the retention, keeping the newest good ones");
  prune->add_flag("--dry-run", o->dry_run, "Report what would be deleted; delete nothing");
  prune->add_option("--retention-days", o->retention_days, "Age limit (default: backup_retention_days, 30)")
      ->check(CLI::Range(1, 36500));
  prune->add_option("--min-keep", o->min_keep, "Newest good backups never deleted (default: backup_min_keep, 7)")
      ->check(CLI::Range(0, 10000));
  prune->add_option("--now", o->now, "Judge ages as of this ISO-8601 instant (what-if; default: now)");
  prune->callback([&ctx, o] { run_prune(ctx, *o); });

  auto* drill = backup->add_subcommand(
      "drill", "Restore the latest backup of each database into a scratch database, check it, drop it");
  drill->callback([&ctx] { run_drill_command(ctx); });
}

}  // namespace promptsales::app
