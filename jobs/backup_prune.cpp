// `backup-prune`: deletes backups older than backup_retention_days (30),
// never the newest backup_min_keep (7) good ones; incomplete ones after a day.
#include "promptsales/common/backup/backup_pruner.hpp"
#include "promptsales/common/backup/repository_factory.hpp"
#include "promptsales/common/config.hpp"
#include "promptsales/common/jobs/job.hpp"
#include "promptsales/common/logging.hpp"

#include <chrono>

namespace promptsales::jobs {
namespace {

class BackupPruneJob final : public Job {
 public:
  std::string name() const override { return "backup-prune"; }
  std::string description() const override {
    return "Delete backups older than backup_retention_days, keeping the newest backup_min_keep good ones";
  }
  std::vector<ParamSpec> params() const override {
    return {{"dry-run", ParamKind::boolean, "Report what would be deleted; delete nothing", "false", 0, 0}};
  }

  JobResult run(JobContext& ctx) const override {
    const auto key = backup::load_backup_key(ctx.config);
    const auto repository = backup::open_repository(ctx.config);
    auto log = logging::get("backup");
    backup::BackupContext bc{*repository, key, ctx.config.str("pg_bin_dir"),
                             [log](const std::string& line) { log->info("{}", line); }};
    backup::PruneOptions o;
    o.retention_days = static_cast<int>(ctx.config.integer("backup_retention_days", 1, 36500));
    o.min_keep = static_cast<int>(ctx.config.integer("backup_min_keep", 0, 10000));
    o.dry_run = ctx.params.boolean("dry-run");
    o.now_unix =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    const auto decisions = backup::prune_backups(bc, o);
    std::int64_t removed = 0;
    for (const auto& d : decisions) removed += d.remove ? 1 : 0;
    JobResult out;
    out.processed = o.dry_run ? 0 : removed;
    out.counts = {{"backups", decisions.size()}, {o.dry_run ? "wouldDelete" : "deleted", removed},
                  {"retentionDays", o.retention_days}, {"minKeep", o.min_keep}};
    out.message = (o.dry_run ? "would delete " : "deleted ") + std::to_string(removed) + " of " +
                  std::to_string(decisions.size()) + " backups";
    return out;
  }
};

}  // namespace

std::unique_ptr<Job> make_backup_prune_job() { return std::make_unique<BackupPruneJob>(); }

}  // namespace promptsales::jobs
