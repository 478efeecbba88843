// `audit-purge`: deletes audit log entries older than audit_retention_days
// (default 90), the retention the security requirements set. Scheduled
// daily (k8s CronJob or jobs_schedule).
#include "promptsales/common/audit.hpp"
#include "promptsales/common/config.hpp"
#include "promptsales/common/jobs/job.hpp"

namespace promptsales::jobs {
namespace {

class AuditPurgeJob final : public Job {
 public:
  std::string name() const override { return "audit-purge"; }
  std::string description() const override {
    return "Delete audit log entries older than audit_retention_days (default 90)";
  }
  std::vector<ParamSpec> params() const override {
    return {{"days", ParamKind::integer, "Retention in days (default: audit_retention_days)", std::nullopt, 1, 36500},
            {"dry-run", ParamKind::boolean, "Count what would be deleted; delete nothing", "false", 0, 0},
            {"batch-size", ParamKind::integer, "Rows deleted per transaction", "5000", 1, 100000}};
  }

  JobResult run(JobContext& ctx) const override {
    const auto days = ctx.params.integer("days").value_or(ctx.config.integer("audit_retention_days", 1, 36500));
    const bool dry_run = ctx.params.boolean("dry-run");
    const auto result = PgAuditLog(ctx.control).purge(static_cast<int>(days), dry_run,
                                                       static_cast<int>(*ctx.params.integer("batch-size")));
    JobResult out;
    out.processed = dry_run ? 0 : result.deleted;
    out.counts = {{"days", days}, {"cutoff", result.cutoff}, {"dryRun", dry_run},
                  {dry_run ? "wouldDelete" : "deleted", result.deleted}};
    out.message = (dry_run ? "would delete " : "deleted ") + std::to_string(result.deleted) +
                  " audit entries before " + result.cutoff;
    return out;
  }
};

}  // namespace

std::unique_ptr<Job> make_audit_purge_job() { return std::make_unique<AuditPurgeJob>(); }

}  // namespace promptsales::jobs
