// `promptsales audit list|purge`: read the audit log, and delete entries
// older than the retention (audit_retention_days, default 90).
#include <iostream>

#include <CLI/CLI.hpp>

#include "app_context.hpp"
#include "commands/commands.hpp"
#include "commands/control_access.hpp"
#include "output.hpp"

namespace promptsales::app {
namespace {

struct AuditOptions {
  std::optional<std::string> since;
  std::optional<std::string> until;
  std::optional<std::string> actor;
  std::optional<std::string> action;
  int limit = 100;
  std::optional<int> older_than_days;
  int batch_size = 5000;
  bool dry_run = false;
};

nlohmann::json to_json(const AuditEntry& e) {
  auto opt = [](const auto& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); };
  return {{"id", e.id},         {"at", e.at},
          {"actor", e.actor},   {"action", e.action},
          {"target", opt(e.target)}, {"organizationId", opt(e.organization_id)},
          {"outcome", e.outcome},    {"clientIp", opt(e.client_ip)},
          {"details", e.details}};
}

void run_list(AppContext& ctx, const AuditOptions& o) {
  AuditQuery q;
  if (o.since) q.since = parse_audit_time(*o.since, "--since");
  if (o.until) q.until = parse_audit_time(*o.until, "--until");
  q.actor = o.actor;
  q.action = o.action;
  q.limit = o.limit;
  auto control = open_control(ctx);
  const auto entries = PgAuditLog(*control).list(q);
  if (ctx.json()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& e : entries) out.push_back(to_json(e));
    print_json(out);
    return;
  }
  Table table({"AT", "ACTOR", "ACTION", "TARGET", "ORG", "OUTCOME", "DETAILS"});
  for (const auto& e : entries) {
    table.add_row({e.at, e.actor, e.action, e.target.value_or("-"),
                   e.organization_id ? std::to_string(*e.organization_id) : "-", e.outcome,
                   ellipsize(e.details.dump(), 60)});
  }
  table.print(std::cout);
  if (entries.empty()) std::cerr << "no audit entries match\n";
}

void run_purge(AppContext& ctx, const AuditOptions& o) {
  const int days = o.older_than_days ? *o.older_than_days
                                     : static_cast<int>(ctx.config().integer("audit_retention_days", 1, 36500));
  auto control = open_control(ctx);
  PurgeResult result;
  if (o.dry_run) {
    result = PgAuditLog(*control).purge(days, true, o.batch_size);
  } else {
    AuditEvent event;
    event.action = "audit.purge";
    result = audited(*control, event, [&](AuditEvent& e) {
      auto r = PgAuditLog(*control).purge(days, false, o.batch_size);
      e.details = {{"olderThanDays", days}, {"cutoff", r.cutoff}, {"deleted", r.deleted}};
      return r;
    });
  }
  if (ctx.json()) {
    print_json({{"dryRun", result.dry_run}, {"olderThanDays", days}, {"cutoff", result.cutoff},
                {o.dry_run ? "wouldDelete" : "deleted", result.deleted}});
    return;
  }
  std::cout << (o.dry_run ? "would delete " : "deleted ") << result.deleted << " audit entries before "
            << result.cutoff << "\n";
}

}  // namespace

void register_audit_commands(CLI::App& app, AppContext& ctx) {
  auto* audit = app.add_subcommand("audit", "Read and purge the audit log");
  audit->require_subcommand(1);
  auto o = std::make_shared<AuditOptions>();

  auto* list = audit->add_subcommand("list", "Audit entries, newest first");
  list->add_option("--since", o->since, "From: ISO date/instant (2026-03-01) or a duration before now (24h, 7d)");
  list->add_option("--until", o->until, "Before: same forms as --since");
  list->add_option("--actor", o->actor, "Only this actor, e.g. cli:ana or user:auth0|123");
  list->add_option("--action", o->action, "Only this action, e.g. user.grant");
  list->add_option("--limit", o->limit, "Most entries (1-10000)")->capture_default_str()->check(CLI::Range(1, 10000));
  list->callback([&ctx, o] { run_list(ctx, *o); });

  auto* purge = audit->add_subcommand("purge", "Delete entries older than the retention, in batches");
  purge->add_option("--older-than-days", o->older_than_days,
                    "Retention in days (default: audit_retention_days, 90)")
      ->check(CLI::Range(1, 36500));
  purge->add_option("--batch-size", o->batch_size, "Rows deleted per transaction")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  purge->add_flag("--dry-run", o->dry_run, "Count what would be deleted; delete nothing");
  purge->callback([&ctx, o] { run_purge(ctx, *o); });
}

}  // namespace promptsales::app
