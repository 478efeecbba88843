// `promptsales db migrate|status`: schema migrations of the control database
// and of every sub-company database in the registry.
#include <iostream>

#include <CLI/CLI.hpp>

#include "app_context.hpp"
#include "commands/commands.hpp"
#include "output.hpp"
#include "promptsales/common/db/installation.hpp"

namespace promptsales::app {
namespace {

struct DbOptions {
  std::string sql_dir;
  bool dry_run = false;
  bool no_create = false;
};

std::string_view state_name(db::MigrationState s) {
  switch (s) {
    case db::MigrationState::pending: return "pending";
    case db::MigrationState::applied: return "applied";
    case db::MigrationState::changed: return "CHANGED";
    case db::MigrationState::unknown: return "unknown";
  }
  return "?";
}

nlohmann::json to_json(const std::vector<db::DatabaseReport>& reports) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : reports) {
    nlohmann::json migrations = nlohmann::json::array();
    for (const auto& s : r.status) {
      migrations.push_back({{"version", s.version},
                            {"name", s.name},
                            {"state", state_name(s.state)},
                            {"appliedAt", s.applied_at ? nlohmann::json(*s.applied_at) : nlohmann::json(nullptr)}});
    }
    out.push_back({{"database", r.role},
                   {"kind", r.kind},
                   {"url", r.url},
                   {"created", r.created},
                   {"applied", r.applied},
                   {"alreadyApplied", r.already_applied},
                   {"migrations", migrations}});
  }
  return out;
}

db::InstallationOptions installation_options(AppContext& ctx, const DbOptions& o) {
  db::InstallationOptions options;
  options.control_url = ctx.config().str("database_url");
  options.sql_dir = o.sql_dir;
  options.dry_run = o.dry_run;
  options.create_databases = !o.no_create;
  return options;
}

void run_migrate(AppContext& ctx, const DbOptions& o) {
  auto options = installation_options(ctx, o);
  const bool progress = !ctx.json();
  options.on_applied = [&](const std::string& role, const std::string& name) {
    if (progress) std::cerr << "  applied " << role << "/" << name << "\n";
  };
  const auto reports = db::migrate_installation(options);
  if (ctx.json()) {
    print_json({{"dryRun", o.dry_run}, {"databases", to_json(reports)}});
    return;
  }
  Table table({"DATABASE", "KIND", "URL", o.dry_run ? "WOULD APPLY" : "APPLIED", "UP TO DATE"});
  for (const auto& r : reports) {
    std::string applied = std::to_string(r.applied.size());
    if (r.created) applied += o.dry_run ? " (would create database)" : " (database created)";
    table.add_row({r.role, r.kind, r.url, applied, std::to_string(r.already_applied)});
  }
  table.print(std::cout);
}

void run_status(AppContext& ctx, const DbOptions& o) {
  const auto reports = db::installation_status(installation_options(ctx, o));
  bool pending = false;
  for (const auto& r : reports) {
    for (const auto& s : r.status) pending |= s.state != db::MigrationState::applied;
  }
  if (ctx.json()) {
    print_json({{"upToDate", !pending}, {"databases", to_json(reports)}});
  } else {
    Table table({"DATABASE", "KIND", "VERSION", "MIGRATION", "STATE", "APPLIED AT"});
    for (const auto& r : reports) {
      for (const auto& s : r.status) {
        table.add_row({r.role, r.kind, std::to_string(s.version), s.name, std::string(state_name(s.state)),
                       s.applied_at.value_or("")});
      }
    }
    table.print(std::cout);
  }
  // Scripts can gate deploys on `db status`: pending or changed is exit 3.
  if (pending) throw ExitWith{ExitCode::partial};
}

}  // namespace

void register_db_commands(CLI::App& app, AppContext& ctx) {
  auto* db = app.add_subcommand("db", "Database schema: migrations of the control and sub-company databases");
  db->require_subcommand(1);
  auto opts = std::make_shared<DbOptions>();

  auto* migrate = db->add_subcommand("migrate", "Create missing databases and apply pending migrations");
  migrate->add_option("--sql-dir", opts->sql_dir, "Read migrations from this folder instead of the built-in ones");
  migrate->add_flag("--dry-run", opts->dry_run, "Show what would be applied; change nothing");
  migrate->add_flag("--no-create", opts->no_create, "Do not create missing databases");
  migrate->callback([&ctx, opts] { run_migrate(ctx, *opts); });

  auto* status = db->add_subcommand("status", "Show every migration's state (exit 3 if any is pending or changed)");
  status->add_option("--sql-dir", opts->sql_dir, "Compare against migrations in this folder");
  status->callback([&ctx, opts] { run_status(ctx, *opts); });
}

}  // namespace promptsales::app
