// `promptsales lead export-subject|forget|export`: thin adapters over
// crm::LeadPrivacy and crm::export_leads (core/crm/lead_privacy.hpp). Every
// run is audited, and no audit entry holds the email: the person is named by
// `subject`, a prefix of the blind index. Exit codes: 0 done, 2 bad input,
// 4 no lead holds the email (unknown, or already forgotten), 1 a dependency
// failed.
#include "commands/lead_privacy_commands.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "app_context.hpp"
#include "commands/control_access.hpp"
#include "output.hpp"
#include "promptsales/crm/lead_privacy.hpp"
#include "promptsales/crm/lead_store.hpp"

namespace promptsales::app {
namespace {

struct PrivacyOptions {
  std::string email;
  std::optional<std::int64_t> org;
  bool dry_run = false;
  // export
  std::int64_t export_org = 0;
  std::string format = "csv";
  std::string output_file;
  std::optional<std::string> status, country, source;
  std::optional<std::int64_t> campaign;
  std::optional<int> min_score, max_score;
};

std::string target_of(std::optional<std::int64_t> org) {
  return org ? "organization:" + std::to_string(*org) : "organization:*";
}

/// The email of a subject request: the argument, or with "-" the first line
/// of standard input, so the address does not show in the process list or
/// the shell's history.
std::string subject_email(const std::string& arg) {
  if (arg != "-") return arg;
  std::string line;
  if (!std::getline(std::cin, line) || line.find_first_not_of(" \t\r") == std::string::npos) {
    throw ValidationError("EMAIL", "standard input holds no email (give one line with the address)");
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

void run_export_subject(AppContext& ctx, const PrivacyOptions& o) {
  auto pool = open_crm(ctx);
  crm::LeadPrivacy privacy(*pool, crypto::load_keyring(ctx.config()));
  auto control = open_control(ctx);
  AuditEvent event;
  event.action = "lead.export_subject";
  event.organization_id = o.org;
  event.target = target_of(o.org);
  const auto result = audited(*control, event, [&](AuditEvent& e) {
    auto r = privacy.export_subject(subject_email(o.email), o.org);
    nlohmann::json ids = nlohmann::json::array();
    for (const auto& s : r.leads) ids.push_back(s.lead.id);
    e.details = {{"subject", r.subject}, {"leadIds", ids}, {"count", r.leads.size()}};
    return r;
  });
  // Always JSON: a subject access request is answered with a document.
  nlohmann::json leads = nlohmann::json::array();
  for (const auto& s : result.leads) {
    auto j = crm::lead_to_json(s.lead);
    nlohmann::json events = nlohmann::json::array();
    for (const auto& ev : s.events) {
      events.push_back({{"id", ev.id}, {"kind", ev.kind}, {"occurredAt", ev.occurred_at}, {"metadata", ev.metadata}});
    }
    j["events"] = events;
    j["audienceIds"] = s.audience_ids;
    leads.push_back(j);
  }
  print_json({{"subject", result.subject}, {"leads", leads}});
}

void run_forget(AppContext& ctx, const PrivacyOptions& o) {
  auto pool = open_crm(ctx);
  crm::LeadPrivacy privacy(*pool, crypto::load_keyring(ctx.config()));
  auto control = open_control(ctx);
  AuditEvent event;
  event.action = "lead.forget";
  event.organization_id = o.org;
  event.target = target_of(o.org);
  const auto r = audited(*control, event, [&](AuditEvent& e) {
    auto res = privacy.forget(subject_email(o.email), o.org, o.dry_run);
    e.details = {{"subject", res.subject},         {"leadIds", res.lead_ids},
                 {"count", res.lead_ids.size()},   {"eventsCleared", res.events_cleared},
                 {"membershipsRemoved", res.memberships_removed}, {"dryRun", res.dry_run}};
    return res;
  });
  if (ctx.json()) {
    print_json({{"subject", r.subject},
                {"leadIds", r.lead_ids},
                {"forgotten", r.dry_run ? 0 : r.lead_ids.size()},
                {"eventsCleared", r.events_cleared},
                {"membershipsRemoved", r.memberships_removed},
                {"dryRun", r.dry_run}});
    return;
  }
  Table table({"LEADS", "EVENTS CLEARED", "MEMBERSHIPS REMOVED", "SUBJECT"});
  table.add_row({std::to_string(r.lead_ids.size()), std::to_string(r.events_cleared),
                 std::to_string(r.memberships_removed), r.subject});
  table.print(std::cout);
  if (r.dry_run) std::cerr << "dry run: nothing was erased\n";
}

/// A file created 0600 beside the target and renamed over it when complete,
/// so a reader never sees half an export; removed if not committed.
class AtomicFile {
 public:
  explicit AtomicFile(const std::string& path) : path_(path) {
    temp_ = path + ".tmp-XXXXXX";
    const int fd = mkstemp(temp_.data());
    if (fd < 0) throw ValidationError("--output-file", "cannot create a file beside " + path);
    close(fd);
    out_.open(temp_, std::ios::binary | std::ios::trunc);
    if (!out_) {
      unlink(temp_.c_str());
      throw ValidationError("--output-file", "cannot write " + temp_);
    }
  }
  ~AtomicFile() {
    if (!committed_) {
      out_.close();
      unlink(temp_.c_str());
    }
  }
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  std::ostream& stream() { return out_; }
  void commit() {
    out_.flush();
    out_.close();
    if (!out_) throw Error("could not finish writing " + temp_ + " (disk full?)");
    if (std::rename(temp_.c_str(), path_.c_str()) != 0) throw Error("could not rename " + temp_ + " to " + path_);
    committed_ = true;
  }

 private:
  std::string path_, temp_;
  std::ofstream out_;
  bool committed_ = false;
};

void run_export(AppContext& ctx, const PrivacyOptions& o) {
  crm::LeadFilter f;
  f.organization_id = o.export_org;
  if (o.status) {
    f.status = crm::lead_status_from_string(*o.status);
    if (!f.status) throw ValidationError("--status", "must be new, contacted, qualified, converted or lost");
  }
  f.country = o.country;
  f.source = o.source;
  f.campaign_id = o.campaign;
  f.min_score = o.min_score;
  f.max_score = o.max_score;
  f.limit = 1000;
  const auto format = o.format == "jsonl" ? crm::LeadExportFormat::jsonl : crm::LeadExportFormat::csv;
  std::unique_ptr<AtomicFile> file;
  if (!o.output_file.empty()) file = std::make_unique<AtomicFile>(o.output_file);
  auto pool = open_crm(ctx);
  crm::PgLeadStore store(*pool, crypto::load_keyring(ctx.config()));
  auto control = open_control(ctx);
  AuditEvent event;
  event.action = "lead.export";
  event.organization_id = o.export_org;
  event.target = "organization:" + std::to_string(o.export_org);
  const auto count = audited(*control, event, [&](AuditEvent& e) {
    const auto n = crm::export_leads(store, f, format, file ? file->stream() : std::cout);
    if (file) file->commit();
    std::cout.flush();
    e.details = {{"count", n}, {"format", o.format}, {"toFile", file != nullptr}};
    return n;
  });
  if (file) std::cerr << count << " leads written to " << o.output_file << "\n";
}

}  // namespace

void register_lead_privacy_commands(CLI::App& lead, AppContext& ctx) {
  auto o = std::make_shared<PrivacyOptions>();

  auto* subject = lead.add_subcommand(
      "export-subject",
      "Everything held about one person (GDPR/CCPA access request), decrypted, as JSON: every lead with the email "
      "(in every organization, or one with --org), its events and audience memberships. Audited without the email. "
      "Exit 4 when no lead holds it");
  subject->add_option("EMAIL", o->email, "The person's email (matched trimmed and lower-cased); - reads it from standard input, "
                    "keeping it out of the process list")
      ->required();
  subject->add_option("--org", o->org, "Only this organization")->check(CLI::PositiveNumber);
  subject->callback([&ctx, o] { run_export_subject(ctx, *o); });

  auto* forget = lead.add_subcommand(
      "forget",
      "Erase one person's personal data (GDPR/CCPA erasure), in one transaction: email, name, phone, city, birth "
      "date, age, interests, consents, event metadata and audience memberships go; country, source, status, score, "
      "campaign and timestamps stay for the counts. Audited without the email. Exit 4 when no lead holds it "
      "(unknown, or already forgotten)");
  forget->add_option("EMAIL", o->email, "The person's email (matched trimmed and lower-cased); - reads it from standard input, "
                    "keeping it out of the process list")
      ->required();
  forget->add_option("--org", o->org, "Only this organization")->check(CLI::PositiveNumber);
  forget->add_flag("--dry-run", o->dry_run, "Report what would be erased; change nothing");
  forget->callback([&ctx, o] { run_forget(ctx, *o); });

  auto* exp = lead.add_subcommand(
      "export",
      "Write an organization's leads (decrypted; forgotten ones left out) as CSV with a header or JSONL, to "
      "standard output or --output-file (written whole, then renamed into place). Audited with the count");
  exp->add_option("--org", o->export_org, "Organization id")->required()->check(CLI::PositiveNumber);
  exp->add_option("--format", o->format, "csv or jsonl")->capture_default_str()->check(CLI::IsMember({"csv", "jsonl"}));
  exp->add_option("--output-file", o->output_file, "Write here (mode 0600) instead of standard output");
  exp->add_option("--status", o->status, "new, contacted, qualified, converted or lost");
  exp->add_option("--country", o->country, "ISO 3166-1 alpha-2");
  exp->add_option("--source", o->source, "Lead source");
  exp->add_option("--campaign", o->campaign, "Campaign id");
  exp->add_option("--min-score", o->min_score, "Lowest score")->check(CLI::Range(0, 100));
  exp->add_option("--max-score", o->max_score, "Highest score")->check(CLI::Range(0, 100));
  exp->callback([&ctx, o] { run_export(ctx, *o); });
}

}  // namespace promptsales::app
