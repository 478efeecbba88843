// `lead-import`: a lead file imported by a worker, queued by
// `promptsales lead import FILE --queue`. The same import as the CLI's
// (core/crm lead_file_import): it resumes from its checkpoint when a retry
// runs it again, and refuses a file that changed since it was queued.
#include <cstdint>
#include <memory>

#include "promptsales/common/audit.hpp"
#include "promptsales/common/config.hpp"
#include "promptsales/common/crypto/data_key.hpp"
#include "promptsales/common/errors.hpp"
#include "promptsales/common/jobs/job.hpp"
#include "promptsales/common/logging.hpp"
#include "promptsales/crm/error_report.hpp"
#include "promptsales/crm/lead_file_import.hpp"
#include "promptsales/crm/row_error_sink.hpp"
#include "promptsales/sales/databases.hpp"

namespace promptsales::jobs {
namespace {

/// The --errors report of the queued command, if it asked for one; the log
/// gets only line numbers and codes (a value may be personal data).
class JobErrorReport final : public crm::RowErrorSink {
 public:
  explicit JobErrorReport(const std::optional<std::string>& path) {
    if (!path) return;
    try {
      writer_ = std::make_unique<crm::ErrorReportWriter>(*path);
    } catch (const std::runtime_error& e) {
      throw ValidationError("param errors", e.what());
    }
  }
  void add(const crm::RowError& e) override {
    if (writer_) writer_->add(e);
    if (++count_ <= 20) logging::get("lead-import")->warn("line {}: rejected ({})", e.line, e.code);
  }
  void commit() {
    if (writer_) writer_->commit();
  }

 private:
  std::unique_ptr<crm::ErrorReportWriter> writer_;
  std::uint64_t count_ = 0;
};

std::vector<std::string> split_maps(const std::optional<std::string>& text) {
  if (!text || text->empty()) return {};
  return {*text};  // one --map value may list several "Header=field" pairs
}

class LeadImportJob final : public Job {
 public:
  std::string name() const override { return "lead-import"; }
  std::string description() const override {
    return "Import a lead file queued by `lead import FILE --queue` (resumes where a failed attempt stopped)";
  }
  std::vector<ParamSpec> params() const override {
    return {{"file", ParamKind::text, "Absolute path of the CSV or JSONL file (on storage the worker sees)", std::nullopt, 0, INT64_MAX},
            {"organization", ParamKind::integer, "Organization id", std::nullopt, 1, INT64_MAX},
            {"sha256", ParamKind::text, "SHA-256 (hex) the file had when it was queued", std::nullopt, 0, INT64_MAX},
            {"on-duplicate", ParamKind::text, "skip, update or error", "skip", 0, INT64_MAX},
            {"format", ParamKind::text, "csv or jsonl (default: from the file name)", std::nullopt, 0, INT64_MAX},
            {"default-country", ParamKind::text, "Country for national phone numbers", std::nullopt, 0, INT64_MAX},
            {"map", ParamKind::text, "Column mapping, as --map", std::nullopt, 0, INT64_MAX},
            {"errors", ParamKind::text, "Write rejected rows to this CSV file", std::nullopt, 0, INT64_MAX},
            {"batch-size", ParamKind::integer, "Records per transaction", "5000", 1, 100000},
            {"writers", ParamKind::integer, "Database connections writing each batch at once", "2", 1, crm::kMaxImportWriters},
            {"dry-run", ParamKind::boolean, "Validate and count; write nothing", "false", 0, INT64_MAX},
            {"force-rerun", ParamKind::boolean, "Run a finished import again", "false", 0, INT64_MAX}};
  }
  // Imports of different files may run side by side; the importer's own
  // lock on the import key keeps two runs of one file apart.
  Concurrency concurrency() const override { return Concurrency::parallel; }

  JobResult run(JobContext& ctx) const override {
    const auto& p = ctx.params;
    const auto file = p.text("file");
    const auto organization = p.integer("organization");
    if (!file || file->empty()) throw ValidationError("param file", "is required");
    if (!organization) throw ValidationError("param organization", "is required");
    const auto on_duplicate = crm::on_duplicate_from_string(p.text("on-duplicate").value_or("skip"));
    if (!on_duplicate) throw ValidationError("param on-duplicate", "must be skip, update or error");

    crm::LeadFileImport request;
    request.path = *file;
    if (const auto format = p.text("format")) {
      const auto parsed = crm::lead_file_format_from_string(*format);
      if (!parsed) throw ValidationError("param format", "must be csv or jsonl");
      request.format = *parsed;
    }
    request.read.organization_id = *organization;
    request.read.default_country = p.text("default-country").value_or("");
    request.read.map = split_maps(p.text("map"));
    request.expected_sha256_hex = p.text("sha256");
    request.import.on_duplicate = *on_duplicate;
    request.import.batch_size = static_cast<std::size_t>(*p.integer("batch-size"));
    request.import.writers = static_cast<unsigned>(*p.integer("writers"));
    request.import.dry_run = p.boolean("dry-run");
    request.import.force_rerun = p.boolean("force-rerun");

    crm::CheckedLeadFile checked;
    try {
      checked = crm::check_lead_file(request);
    } catch (const crm::ImportFileError& e) {
      // A file the pre-pass refuses will be refused by every retry.
      throw ValidationError("param file", *file + ": " + e.error().message);
    }
    JobErrorReport report(p.text("errors"));
    // Connections open lazily: a resumed import may need as many writers as its first run chose.
    sales::Databases databases(ctx.config, crm::kMaxImportWriters);
    crm::ImportSummary s;
    try {
      s = crm::import_lead_file(databases.crm(), crypto::load_keyring(ctx.config), request, checked, report);
    } catch (const crm::ImportFileError& e) {
      throw ValidationError("param file", *file + ": line " + std::to_string(e.error().line) + ": " +
                                              e.error().message);
    }
    report.commit();

    if (!s.dry_run) {
      AuditEvent event;
      event.actor = "job:lead-import";
      event.action = "lead.import";
      event.organization_id = *organization;
      event.target = "organization:" + std::to_string(*organization);
      event.details = {{"records", s.records}, {"created", s.created}, {"updated", s.updated},
                       {"skipped", s.skipped}, {"failed", s.failed},   {"importKey", s.import_key},
                       {"runId", ctx.run_id}};
      PgAuditLog(ctx.control).record(event);
    }
    auto out = JobResult::from_counts(static_cast<std::int64_t>(s.created + s.updated + s.skipped),
                                      static_cast<std::int64_t>(s.failed),
                                      std::to_string(s.records) + " records: " + std::to_string(s.created) +
                                          " created, " + std::to_string(s.updated) + " updated, " +
                                          std::to_string(s.skipped) + " skipped, " + std::to_string(s.failed) +
                                          " failed");
    out.counts = {{"records", s.records}, {"created", s.created},     {"updated", s.updated},
                  {"skipped", s.skipped}, {"failed", s.failed},       {"dryRun", s.dry_run},
                  {"resumed", s.resumed}, {"alreadyDone", s.already_done}, {"importKey", s.import_key}};
    return out;
  }
};

}  // namespace

std::unique_ptr<Job> make_lead_import_job() { return std::make_unique<LeadImportJob>(); }

}  // namespace promptsales::jobs
