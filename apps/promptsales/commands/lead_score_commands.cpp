// `promptsales lead event add|import` and `lead score`: engagement events
// and the rule-based score (core/crm lead_scoring.hpp, README "Scoring").
// Exit codes: 0 done, 2 bad options or file, 3 some event rows failed
// (`event import`), 4 the lead does not exist in that organization
// (`event add`, `score --lead`), 1 a dependency failed.
#include <unistd.h>

#include <iostream>
#include <vector>

#include <CLI/CLI.hpp>

#include "app_context.hpp"
#include "commands/commands.hpp"
#include "commands/control_access.hpp"
#include "commands/row_error_report.hpp"
#include "output.hpp"
#include "promptsales/common/crypto/data_key.hpp"
#include "promptsales/common/db/pool.hpp"
#include "promptsales/crm/lead_events.hpp"
#include "promptsales/crm/lead_file_import.hpp"
#include "promptsales/crm/lead_score_recompute.hpp"
#include "promptsales/crm/lead_store.hpp"

namespace promptsales::app {
namespace {

struct ScoreOptions {
  std::int64_t org = 0;
  std::int64_t lead = 0;
  std::string kind;
  std::string at;
  std::string metadata;
  std::string file;
  std::string format;
  std::string errors_path;
  bool recompute = false;
  bool all = false;
  std::size_t batch_size = 1000;
};

void run_event_add(AppContext& ctx, const ScoreOptions& o) {
  crm::LeadEventInput ev;
  ev.lead_id = o.lead;
  ev.kind = o.kind;
  ev.occurred_at = o.at;
  ev.metadata = o.metadata;
  auto pool = open_crm(ctx);
  crm::PgLeadEventStore store(*pool, crypto::load_keyring(ctx.config()));
  auto control = open_control(ctx);
  AuditEvent event;
  event.action = "lead.event.add";
  event.organization_id = o.org;
  event.target = "lead:" + std::to_string(o.lead);
  const auto id = audited(*control, event, [&](AuditEvent& e) {
    const auto added = store.add(o.org, ev);
    e.details = {{"eventId", added}, {"kind", o.kind}};
    return added;
  });
  if (ctx.json()) {
    print_json({{"id", id}, {"leadId", o.lead}, {"organizationId", o.org}, {"kind", o.kind}});
  } else {
    std::cout << "event " << id << " added to lead " << o.lead << "\n";
  }
}

/// Keeps the first rejected rows for the JSON summary and hands every one to
/// the report (--errors, or stderr).
class EventErrors final : public crm::RowErrorSink {
 public:
  explicit EventErrors(RowErrorReport& report) : report_(report) {}
  void add(const crm::RowError& e) override {
    if (kept.size() < 1000) kept.push_back(e);
    report_.add(e);
  }
  std::vector<crm::RowError> kept;

 private:
  RowErrorReport& report_;
};

void run_event_import(AppContext& ctx, const ScoreOptions& o) {
  std::unique_ptr<crm::SpooledInput> spooled;
  std::string path = o.file;
  if (o.file == "-") {
    if (o.format.empty()) throw ValidationError("--format", "standard input needs --format csv or jsonl");
    spooled = std::make_unique<crm::SpooledInput>(STDIN_FILENO);
    path = spooled->path();
  }
  auto reader = crm::open_event_file(path, o.format);
  RowErrorReport report(o.errors_path);
  EventErrors errors(report);
  auto pool = open_crm(ctx);
  crm::PgLeadEventStore store(*pool, crypto::load_keyring(ctx.config()));
  auto control = open_control(ctx);
  AuditEvent event;
  event.action = "lead.event.import";
  event.organization_id = o.org;
  event.target = "organization:" + std::to_string(o.org);
  const auto s = audited(*control, event, [&](AuditEvent& e) {
    auto summary = store.import(o.org, *reader, errors, o.batch_size);
    e.details = {{"records", summary.records}, {"added", summary.added}, {"failed", summary.failed}};
    return summary;
  });
  report.close();
  if (ctx.json()) {
    // Rows are named by line and reason, never by the person's data.
    nlohmann::json rejected = nlohmann::json::array();
    for (const auto& e : errors.kept)
      rejected.push_back({{"line", e.line}, {"column", e.column}, {"code", e.code}, {"message", e.message}});
    print_json({{"records", s.records}, {"added", s.added}, {"failed", s.failed}, {"errors", rejected}});
  } else {
    Table table({"RECORDS", "ADDED", "FAILED"});
    table.add_row({std::to_string(s.records), std::to_string(s.added), std::to_string(s.failed)});
    table.print(std::cout);
  }
  if (s.failed > 0) throw ExitWith{ExitCode::partial};
}

void run_score(AppContext& ctx, const ScoreOptions& o) {
  if (!o.recompute) throw ValidationError("--recompute", "say --recompute to recompute and store the scores");
  if (o.org == 0 && !o.all) throw ValidationError("--org", "give --org ID, or --all for every organization");
  if (o.org != 0 && o.all) throw ValidationError("--all", "give either --org or --all");
  if (o.lead != 0 && o.org == 0) throw ValidationError("--lead", "needs --org");
  const auto weights = crm::parse_scoring_weights(ctx.config().str("lead_scoring_weights"));
  crm::ScoreRecomputeOptions options;
  if (o.org != 0) options.organization_id = o.org;
  if (o.lead != 0) options.lead_id = o.lead;
  options.batch_size = o.batch_size;
  const bool progress = stderr_is_tty();
  if (progress) options.on_progress = [](std::uint64_t n) { std::cerr << "\r" << n << " leads scored" << std::flush; };
  auto pool = open_crm(ctx);
  auto control = open_control(ctx);
  AuditEvent event;
  event.action = "lead.score.recompute";
  if (o.org != 0) event.organization_id = o.org;
  event.target = o.lead != 0 ? "lead:" + std::to_string(o.lead)
                 : o.org != 0 ? "organization:" + std::to_string(o.org)
                              : std::string("all organizations");
  const auto s = audited(*control, event, [&](AuditEvent& e) {
    auto summary = crm::recompute_scores(*pool, weights, options);
    e.details = {{"leads", summary.leads}, {"changed", summary.changed}};
    return summary;
  });
  if (progress) std::cerr << "\n";
  if (o.lead != 0 && s.leads == 0) {
    throw NotFound("lead " + std::to_string(o.lead) + " not found in organization " + std::to_string(o.org));
  }
  if (ctx.json()) {
    nlohmann::json deciles = nlohmann::json::array();
    for (std::size_t i = 0; i < s.deciles.size(); ++i)
      deciles.push_back({{"from", i * 10}, {"to", i == 9 ? 100 : i * 10 + 9}, {"leads", s.deciles[i]}});
    print_json({{"leads", s.leads}, {"changed", s.changed}, {"deciles", deciles}});
  } else {
    Table table({"SCORE", "LEADS"});
    for (std::size_t i = 0; i < s.deciles.size(); ++i)
      table.add_row({std::to_string(i * 10) + "-" + std::to_string(i == 9 ? 100 : i * 10 + 9),
                     std::to_string(s.deciles[i])});
    table.print(std::cout);
    std::cout << s.leads << " leads scored, " << s.changed << " changed\n";
  }
}

}  // namespace

void register_lead_score_commands(CLI::App& app, AppContext& ctx) {
  auto* lead = app.get_subcommand("lead");
  auto o = std::make_shared<ScoreOptions>();

  auto* event = lead->add_subcommand("event", "Engagement events of leads (the input of scoring)");
  event->require_subcommand(1);
  auto* add = event->add_subcommand(
      "add", "Add one event to a lead of an organization. Exit 4 when the lead is not the organization's");
  add->add_option("--org", o->org, "Organization id")->required()->check(CLI::PositiveNumber);
  add->add_option("--lead", o->lead, "Lead id")->required()->check(CLI::PositiveNumber);
  add->add_option("--kind", o->kind, "Event kind: a-z first, then a-z 0-9 _ . (e.g. email.opened)")->required();
  add->add_option("--at", o->at, "When, ISO 8601 (default now; no zone: UTC)");
  add->add_option("--metadata", o->metadata, "A JSON object (at most 4 KiB)");
  add->callback([&ctx, o] { run_event_add(ctx, *o); });

  auto* imp = event->add_subcommand(
      "import",
      "Add events from a CSV file (header: lead_id or email, kind, occurred_at[, metadata]) or JSONL (objects "
      "with those keys). Rejected rows are reported by line and never stop the good ones. Exit 3 when some rows "
      "failed");
  imp->add_option("FILE", o->file, "CSV or JSONL file, or - for standard input (with --format)")->required();
  imp->add_option("--errors", o->errors_path, "Write rejected rows to this CSV file (line, column, value, code, message)");
  imp->add_option("--org", o->org, "Organization id")->required()->check(CLI::PositiveNumber);
  imp->add_option("--format", o->format, "csv or jsonl (default: from the file name)")
      ->check(CLI::IsMember({"csv", "jsonl"}));
  imp->add_option("--batch-size", o->batch_size, "Events per transaction")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  imp->callback([&ctx, o] { run_event_import(ctx, *o); });

  auto* score = lead->add_subcommand(
      "score",
      "Recompute and store lead scores (README \"Scoring\"; weights from lead_scoring_weights) for one lead, an "
      "organization, or --all. Prints the count per score decile");
  score->add_option("--org", o->org, "Organization id")->check(CLI::PositiveNumber);
  score->add_option("--lead", o->lead, "Only this lead (with --org)")->check(CLI::PositiveNumber);
  score->add_flag("--all", o->all, "Every organization");
  score->add_flag("--recompute", o->recompute, "Recompute and store (required)");
  score->add_option("--batch-size", o->batch_size, "Leads per transaction")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  score->callback([&ctx, o] { run_score(ctx, *o); });
}

}  // namespace promptsales::app
