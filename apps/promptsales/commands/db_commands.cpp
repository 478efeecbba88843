// `promptsales db migrate|status`: schema migrations of the control database
// and of every sub-company database in the registry.
#include <iomanip>
#include <iostream>
#include <sstream>

#include <CLI/CLI.hpp>

#include "app_context.hpp"
#include "commands/commands.hpp"
#include "output.hpp"
#include "commands/control_access.hpp"
#include "promptsales/common/db/installation.hpp"
#include "promptsales/common/db/statement_stats.hpp"

namespace promptsales::app {
namespace {

struct DbOptions {
  std::string sql_dir;
  bool dry_run = false;
  bool no_create = false;
};

struct StatsOptions {
  int top = 10;
  std::string order_by = "total";
  std::string database;
  std::size_t width = 80;
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

std::string fixed(double value, int decimals) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(decimals) << value;
  return out.str();
}

void run_stats(AppContext& ctx, const StatsOptions& o) {
  db::StatementStatsQuery query;
  query.top = o.top;
  query.order = db::parse_statement_order(o.order_by);
  if (!o.database.empty()) query.database = o.database;
  const auto pool = open_control(ctx);
  auto lease = pool->acquire();
  const auto stats = db::top_statements(*lease, query);
  if (ctx.json()) {
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& s : stats) {
      rows.push_back({{"database", s.database},
                      {"user", s.user},
                      {"calls", s.calls},
                      {"totalMs", s.total_ms},
                      {"meanMs", s.mean_ms},
                      {"maxMs", s.max_ms},
                      {"rows", s.rows},
                      {"cacheHitRatio", s.cache_hit_ratio()},
                      {"query", s.query}});
    }
    print_json({{"orderBy", std::string(db::statement_order_name(query.order))}, {"statements", rows}});
    return;
  }
  Table table({"#", "CALLS", "TOTAL MS", "MEAN MS", "MAX MS", "ROWS", "HIT %", "DATABASE", "QUERY"});
  int rank = 0;
  for (const auto& s : stats) {
    table.add_row({std::to_string(++rank), std::to_string(s.calls), fixed(s.total_ms, 1), fixed(s.mean_ms, 3),
                   fixed(s.max_ms, 1), std::to_string(s.rows), fixed(100 * s.cache_hit_ratio(), 1), s.database,
                   db::one_line(s.query, o.width)});
  }
  table.print(std::cout);
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

  auto stats_opts = std::make_shared<StatsOptions>();
  auto* stats = db->add_subcommand(
      "stats", "The heaviest statements on the server, from pg_stat_statements (calls, total and mean time, rows)");
  stats->add_option("--top", stats_opts->top, "How many statements to show (1..1000)")->capture_default_str();
  stats->add_option("--order-by", stats_opts->order_by, "Rank by total, mean, calls or rows")->capture_default_str();
  stats->add_option("--database", stats_opts->database, "Only statements run in this database (default: all)");
  stats->add_option("--width", stats_opts->width, "Cut the query text to this many characters in the table")
      ->capture_default_str();
  stats->callback([&ctx, stats_opts] { run_stats(ctx, *stats_opts); });
}

}  // namespace promptsales::app
