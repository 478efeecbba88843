// `promptsales lead import|list|show|update` (export-subject|forget|export:
// lead_privacy_commands.cpp): thin adapters over the CRM
// store and the import pipeline (core/crm). Exit codes of `lead import`:
// 0 every row imported (or skipped as a duplicate), 3 some rows failed
// (see --errors), 2 the file or the options were refused, 1 a dependency
// failed (an interrupted import resumes when run again).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include <CLI/CLI.hpp>

#include "app_context.hpp"
#include "commands/commands.hpp"
#include "commands/control_access.hpp"
#include "commands/job_enqueue.hpp"
#include "commands/lead_capture_commands.hpp"
#include "commands/lead_privacy_commands.hpp"
#include "commands/row_error_report.hpp"
#include "output.hpp"
#include "promptsales/crm/error_report.hpp"
#include "promptsales/crm/lead_file_import.hpp"
#include "promptsales/crm/lead_importer.hpp"
#include "promptsales/crm/lead_patch.hpp"
#include "promptsales/crm/lead_privacy.hpp"
#include "promptsales/crm/lead_readers.hpp"
#include "promptsales/crm/lead_store.hpp"
#include "promptsales/crm/synthetic_leads.hpp"

namespace promptsales::app {
namespace {

struct LeadOptions {
  // import
  std::string file;
  std::int64_t org = 0;
  std::string format;
  std::string on_duplicate = "skip";
  bool dry_run = false;
  std::string errors_path;
  std::size_t batch_size = 5000;
  std::vector<std::string> map;
  std::string default_country;
  bool progress = false;
  bool force_rerun = false;
  bool queue = false;
  unsigned threads = 2;
  unsigned writers = 2;
  std::uint64_t generate = 0;  // hidden: a synthetic source of N rows (benchmarks)
  // list / show / update
  std::int64_t id = 0;
  std::optional<std::string> status;
  std::optional<std::string> country;
  std::optional<std::string> source;
  std::optional<std::int64_t> campaign;
  std::optional<int> min_score, max_score, score;
  std::optional<std::string> name, phone, city, interests;
  std::optional<std::string> consent_email, consent_sms, consent_phone;
  std::optional<std::string> email;  // list: exact email (blind index)
  bool newest_first = false;
  int limit = 50;
  std::int64_t after = 0;
};

crm::LeadReadOptions read_options(const LeadOptions& o) {
  crm::LeadReadOptions r;
  r.organization_id = o.org;
  r.map = o.map;
  r.default_country = o.default_country;
  crm::check_read_options(r);
  return r;
}

crm::LeadFileFormat file_format(const LeadOptions& o) {
  if (o.format.empty()) return crm::LeadFileFormat::automatic;
  return *crm::lead_file_format_from_string(o.format);  // CLI11 checked the name
}

nlohmann::json to_json(const crm::ImportSummary& s, double seconds) {
  return {{"records", s.records},   {"created", s.created},       {"updated", s.updated},
          {"skipped", s.skipped},   {"failed", s.failed},         {"dryRun", s.dry_run},
          {"resumed", s.resumed},   {"alreadyDone", s.already_done}, {"resumedAfterLine", s.resumed_after_line},
          {"writers", s.writers}, {"fallbackBatches", s.fallback_batches}, {"importKey", s.import_key}, {"seconds", seconds}};
}

ValidationError file_refused(const crm::ImportFileError& e) {
  return ValidationError("FILE", (e.error().line ? "line " + std::to_string(e.error().line) + ": " : "") +
                                     e.error().message);
}

crm::ImportOptions import_options(const LeadOptions& o) {
  crm::ImportOptions options;
  options.organization_id = o.org;
  options.on_duplicate = *crm::on_duplicate_from_string(o.on_duplicate);
  options.dry_run = o.dry_run;
  options.batch_size = o.batch_size;
  options.force_rerun = o.force_rerun;
  options.encrypt_threads = o.threads;
  options.writers = o.writers;
  return options;
}

/// `lead import --queue`: checks the file now (a bad file is refused here,
/// not at 3 a.m. in the worker), then queues the `lead-import` job with the
/// file's absolute path and digest. The worker reads the same path (shared
/// storage) and refuses the file if it changed meanwhile.
void queue_import(AppContext& ctx, const LeadOptions& o) {
  if (o.file == "-" || o.file.empty()) {
    throw ValidationError("--queue", "needs a file the worker can read; standard input cannot be queued");
  }
  if (o.generate > 0) throw ValidationError("--queue", "cannot queue a synthetic import");
  crm::LeadFileImport request;
  request.path = std::filesystem::absolute(o.file).string();
  request.format = file_format(o);
  request.read = read_options(o);
  crm::CheckedLeadFile checked;
  try {
    checked = crm::check_lead_file(request);
  } catch (const crm::ImportFileError& e) {
    throw file_refused(e);
  }
  JobToQueue job;
  job.job = "lead-import";
  job.params = {{"file", request.path},
                {"organization", std::to_string(o.org)},
                {"sha256", checked.sha256_hex},
                {"on-duplicate", o.on_duplicate},
                {"batch-size", std::to_string(o.batch_size)},
                {"writers", std::to_string(o.writers)},
                {"dry-run", o.dry_run ? "true" : "false"},
                {"force-rerun", o.force_rerun ? "true" : "false"}};
  if (!o.format.empty()) job.params["format"] = o.format;
  if (!o.default_country.empty()) job.params["default-country"] = o.default_country;
  // --map values are comma-separated lists already, so several join into one.
  std::string maps;
  for (const auto& m : o.map) maps += (maps.empty() ? "" : ",") + m;
  if (!maps.empty()) job.params["map"] = maps;
  if (!o.errors_path.empty()) job.params["errors"] = std::filesystem::absolute(o.errors_path).string();
  const auto queued = enqueue_job(ctx, job);
  const auto id = queued.id.value_or(0);
  if (ctx.json()) {
    print_json({{"queued", true}, {"queueId", id}, {"job", queued.job}, {"file", request.path},
                {"records", checked.check.records}, {"bytes", checked.bytes}});
  } else {
    std::cout << "queued lead-import as job " << id << ": " << request.path << " (" << checked.check.records
              << " records); `promptsales jobs worker` runs it, `promptsales jobs history` shows the outcome\n";
  }
}

void run_import(AppContext& ctx, const LeadOptions& o) {
  if (o.queue) return queue_import(ctx, o);
  auto options = import_options(o);
  std::unique_ptr<crm::SpooledInput> spooled;
  crm::LeadFileImport request;
  request.path = o.file;
  request.format = file_format(o);
  if (o.generate == 0 && o.file == "-") {
    spooled = std::make_unique<crm::SpooledInput>(STDIN_FILENO);
    request.path = spooled->path();
  }
  RowErrorReport report(o.errors_path);
  std::uint64_t total_bytes = 0;
  crm::CheckedLeadFile checked;
  if (o.generate == 0) {
    request.read = read_options(o);
    try {
      checked = crm::check_lead_file(request);
    } catch (const crm::ImportFileError& e) {
      report.add(e.error());  // line 0 (or the line found) in the report too
      report.close();
      throw file_refused(e);
    }
    total_bytes = checked.bytes;
  }

  const bool show_progress = o.progress || stderr_is_tty();
  const auto started = std::chrono::steady_clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(); };
  if (show_progress) {
    options.on_progress = [&](const crm::ImportProgress& p) {
      const double s = elapsed();
      std::cerr << "\r" << p.records << " rows, " << static_cast<std::uint64_t>(s > 0 ? p.records / s : 0)
                << " rows/s";
      if (total_bytes > 0) std::cerr << ", " << (100 * p.bytes_read / total_bytes) << "%";
      std::cerr << " (created " << p.created << ", updated " << p.updated << ", skipped " << p.skipped
                << ", failed " << p.failed << ")   " << std::flush;
    };
  }

  // Opened lazily: a resumed import may need as many writers as its first run chose.
  auto crm_pool = open_crm(ctx, crm::kMaxImportWriters);
  auto keys = crypto::load_keyring(ctx.config());
  auto run = [&] {
    try {
      if (o.generate > 0) {
        options.content_digest = std::string(64, '0');
        options.reader_fingerprint = "synthetic:" + std::to_string(o.generate);
        crm::SyntheticLeadSource source(o.org, o.generate);
        return crm::LeadImporter(*crm_pool, keys).run(source, report, options);
      }
      request.import = options;
      return crm::import_lead_file(*crm_pool, keys, request, checked, report);
    } catch (const crm::ImportFileError& e) {
      if (show_progress) std::cerr << "\n";
      report.add(e.error());
      report.close();
      throw file_refused(e);
    }
  };
  crm::ImportSummary summary;
  if (o.dry_run) {
    summary = run();
  } else {
    auto control = open_control(ctx);
    AuditEvent event;
    event.action = "lead.import";
    event.organization_id = o.org;
    event.target = "organization:" + std::to_string(o.org);
    summary = audited(*control, event, [&](AuditEvent& e) {
      auto s = run();
      e.details = to_json(s, elapsed());
      return s;
    });
  }
  report.close();
  if (show_progress) std::cerr << "\n";
  const double seconds = elapsed();
  if (ctx.json()) {
    print_json(to_json(summary, seconds));
  } else {
    Table table({"CREATED", "UPDATED", "SKIPPED", "FAILED", "RECORDS", "SECONDS"});
    char secs[32];
    std::snprintf(secs, sizeof secs, "%.2f", seconds);
    table.add_row({std::to_string(summary.created), std::to_string(summary.updated), std::to_string(summary.skipped),
                   std::to_string(summary.failed), std::to_string(summary.records), secs});
    table.print(std::cout);
    if (summary.already_done) std::cerr << "this import finished before: nothing changed (--force-rerun to run it again)\n";
    if (summary.resumed) std::cerr << "resumed after line " << summary.resumed_after_line << "\n";
    if (summary.dry_run) std::cerr << "dry run: nothing was written\n";
  }
  if (summary.failed > 0) throw ExitWith{ExitCode::partial};
}

// A forgotten lead shows "email": null and "forgotten": true.
nlohmann::json lead_json(const crm::Lead& l) { return crm::lead_to_json(l); }

void print_leads(AppContext& ctx, const std::vector<crm::Lead>& leads) {
  if (ctx.json()) {
    nlohmann::json a = nlohmann::json::array();
    for (const auto& l : leads) a.push_back(lead_json(l));
    print_json(a);
    return;
  }
  Table table({"ID", "EMAIL", "NAME", "COUNTRY", "STATUS", "SCORE", "CREATED"});
  for (const auto& l : leads) {
    table.add_row({std::to_string(l.id), l.forgotten ? "(forgotten)" : ellipsize(l.email, 40), ellipsize(l.name.value_or(""), 30),
                   l.country.value_or(""), std::string(crm::to_string(l.status)), std::to_string(l.score),
                   l.created_at.substr(0, 19)});
  }
  table.print(std::cout);
  if (leads.empty()) std::cerr << "no leads match\n";
}

std::optional<crm::LeadStatus> parse_status(const std::optional<std::string>& s) {
  if (!s) return std::nullopt;
  auto st = crm::lead_status_from_string(*s);
  if (!st) throw ValidationError("status", "must be new, contacted, qualified, converted or lost");
  return st;
}

void run_list(AppContext& ctx, const LeadOptions& o) {
  auto pool = open_crm(ctx);
  crm::PgLeadStore store(*pool, crypto::load_keyring(ctx.config()));
  crm::LeadFilter f;
  f.organization_id = o.org;
  f.status = parse_status(o.status);
  f.country = o.country;
  f.source = o.source;
  f.campaign_id = o.campaign;
  f.min_score = o.min_score;
  f.max_score = o.max_score;
  f.limit = o.limit;
  f.after_id = o.after;
  f.newest_first = o.newest_first;
  if (o.email) {
    auto e = crm::normalize_email(*o.email);
    if (!e) throw ValidationError("--email", e.error().message);
    f.email = std::move(*e);
  }
  print_leads(ctx, store.list(f));
}

void run_show(AppContext& ctx, const LeadOptions& o) {
  auto pool = open_crm(ctx);
  crm::PgLeadStore store(*pool, crypto::load_keyring(ctx.config()));
  const auto lead = store.get(o.org, o.id);
  if (ctx.json()) {
    print_json(lead_json(lead));
  } else {
    print_leads(ctx, {lead});
  }
}

void run_update(AppContext& ctx, const LeadOptions& o) {
  // The fields the API may change go through the API's parser, so both
  // apply the import's rules the same way.
  nlohmann::json patch = nlohmann::json::object();
  if (o.status) patch["status"] = *o.status;
  if (o.name) patch["name"] = *o.name;
  if (o.phone) patch["phone"] = *o.phone;
  if (o.city) patch["city"] = *o.city;
  if (o.interests) {
    nlohmann::json items = nlohmann::json::array();
    for (auto item : crm::split_interests(*o.interests)) items.push_back(std::string(item));
    patch["interests"] = items;
  }
  const auto consent = [&](const char* name, const std::optional<std::string>& v) {
    if (!v) return;
    const auto b = crm::parse_consent(*v);
    if (!b) throw ValidationError(std::string("--consent-") + name, b.error().message);
    patch["consents"][name] = *b;
  };
  consent("email", o.consent_email);
  consent("sms", o.consent_sms);
  consent("phone", o.consent_phone);
  crm::LeadUpdate u;
  if (!patch.empty()) u = crm::parse_lead_patch(patch.dump(), o.default_country);
  u.score = o.score;
  if (o.country) {
    auto c = crm::normalize_country(*o.country);
    if (!c) throw ValidationError("--country", c.error().message);
    u.country = std::move(*c);
  }
  u.source = o.source;
  u.campaign_id = o.campaign;
  if (u.empty()) throw ValidationError("", "nothing to update: give at least one field to change");
  auto pool = open_crm(ctx);
  crm::PgLeadStore store(*pool, crypto::load_keyring(ctx.config()));
  auto control = open_control(ctx);
  AuditEvent event;
  event.action = "lead.update";
  event.organization_id = o.org;
  event.target = "lead:" + std::to_string(o.id);
  const auto lead = audited(*control, event, [&](AuditEvent&) { return store.update(o.org, o.id, u); });
  if (ctx.json()) {
    print_json(lead_json(lead));
  } else {
    print_leads(ctx, {lead});
  }
}

}  // namespace

void register_lead_commands(CLI::App& app, AppContext& ctx) {
  auto* lead = app.add_subcommand("lead", "Leads of the CRM sub-company (personal data encrypted at rest)");
  lead->require_subcommand(1);
  auto o = std::make_shared<LeadOptions>();

  auto* imp = lead->add_subcommand(
      "import",
      "Import leads from a CSV or JSONL file into an organization. Duplicates (by email, within the file and "
      "against the database) follow --on-duplicate; rejected rows go to the error report and never stop the good "
      "ones. An interrupted import resumes when run again with the same file and options. Exit 0 all rows "
      "imported, 3 some rows failed, 2 file or options refused, 1 a dependency failed");
  imp->add_option("FILE", o->file, "CSV or JSONL file, or - for standard input");
  imp->add_option("--org", o->org, "Organization id")->required()->check(CLI::PositiveNumber);
  imp->add_option("--format", o->format, "csv or jsonl (default: from the file name)")
      ->check(CLI::IsMember({"csv", "jsonl"}));
  imp->add_option("--on-duplicate", o->on_duplicate, "skip, update or error")
      ->capture_default_str()
      ->check(CLI::IsMember({"skip", "update", "error"}));
  imp->add_flag("--dry-run", o->dry_run, "Validate and count (duplicates too); write nothing");
  imp->add_option("--errors", o->errors_path, "Write rejected rows to this CSV file");
  imp->add_option("--batch-size", o->batch_size, "Records per transaction")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  imp->add_option("--map", o->map, "Column mapping \"Header=field,Other=field\" (field: email, name, phone, ...; ignore drops a column); repeatable");
  imp->add_option("--default-country", o->default_country, "Country (ISO 3166-1 alpha-2) whose calling code national phone numbers take, e.g. ES");
  imp->add_flag("--progress", o->progress, "Show progress on stderr even when it is not a terminal");
  imp->add_flag("--force-rerun", o->force_rerun, "Run a finished import again (duplicates still apply)");
  imp->add_flag("--queue", o->queue,
                "Check the file now, then queue the import for `jobs worker` (the lead-import job); the worker "
                "reads the same path, so it must be on storage the worker sees");
  imp->add_option("--threads", o->threads, "Encryption threads")->capture_default_str()->check(CLI::Range(1, 16));
  imp->add_option("--writers", o->writers,
                  "Database connections writing each batch at once (its leads split by email); a resumed import "
                  "keeps its first run's")
      ->capture_default_str()
      ->check(CLI::Range(1u, crm::kMaxImportWriters));
  imp->add_option("--generate", o->generate, "Synthetic rows instead of a file (benchmarks)")->group("");
  imp->callback([&ctx, o] {
    if (o->generate == 0 && o->file.empty()) throw ValidationError("FILE", "give a file, or - for stdin");
    run_import(ctx, *o);
  });

  auto* list = lead->add_subcommand("list", "List an organization's leads (decrypted), oldest first");
  list->add_option("--org", o->org, "Organization id")->required()->check(CLI::PositiveNumber);
  list->add_option("--status", o->status, "new, contacted, qualified, converted or lost");
  list->add_option("--country", o->country, "ISO 3166-1 alpha-2");
  list->add_option("--source", o->source, "Lead source");
  list->add_option("--campaign", o->campaign, "Campaign id");
  list->add_option("--min-score", o->min_score, "Lowest score")->check(CLI::Range(0, 100));
  list->add_option("--max-score", o->max_score, "Highest score")->check(CLI::Range(0, 100));
  list->add_option("--limit", o->limit, "Page size")->capture_default_str()->check(CLI::Range(1, 1000));
  list->add_option("--after", o->after, "Leads with a larger id (the last id of the previous page)");
  list->add_option("--email", o->email, "Only the lead with this email (exact, found through the blind index)");
  list->add_flag("--newest-first", o->newest_first, "Newest first (the API's order) instead of oldest first");
  list->callback([&ctx, o] { run_list(ctx, *o); });

  auto* show = lead->add_subcommand("show", "Show one lead (decrypted). Exit 4 when it does not exist");
  show->add_option("ID", o->id, "Lead id")->required();
  show->add_option("--org", o->org, "Organization id")->required()->check(CLI::PositiveNumber);
  show->callback([&ctx, o] { run_show(ctx, *o); });

  auto* update = lead->add_subcommand("update", "Change a lead's status, score or fields (audited). Exit 4 when absent");
  update->add_option("ID", o->id, "Lead id")->required();
  update->add_option("--org", o->org, "Organization id")->required()->check(CLI::PositiveNumber);
  update->add_option("--status", o->status, "new, contacted, qualified, converted or lost");
  update->add_option("--score", o->score, "0-100")->check(CLI::Range(0, 100));
  update->add_option("--country", o->country, "ISO 3166-1 alpha-2");
  update->add_option("--source", o->source, "Lead source");
  update->add_option("--campaign", o->campaign, "Campaign id");
  update->add_option("--name", o->name, "Full name");
  update->add_option("--phone", o->phone, "Phone (E.164, or national with --default-country)");
  update->add_option("--default-country", o->default_country, "Country (ISO alpha-2) of a national --phone");
  update->add_option("--city", o->city, "City");
  update->add_option("--interests", o->interests, "Interests, replacing the list: \"a;b;c\"");
  update->add_option("--consent-email", o->consent_email, "yes or no");
  update->add_option("--consent-sms", o->consent_sms, "yes or no");
  update->add_option("--consent-phone", o->consent_phone, "yes or no");
  update->callback([&ctx, o] { run_update(ctx, *o); });

  register_lead_privacy_commands(*lead, ctx);
  register_lead_capture_commands(*lead, ctx);
}

}  // namespace promptsales::app
