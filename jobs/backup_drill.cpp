// `backup-drill`: weekly proof that the backups restore: the latest backup
// of each database goes into a scratch database, is checked, and dropped.
// Some databases failing is partial (exit 3); all failing is failed (exit 1).
#include "promptsales/common/backup/backup_drill.hpp"
#include "promptsales/common/backup/repository_factory.hpp"
#include "promptsales/common/config.hpp"
#include "promptsales/common/jobs/job.hpp"
#include "promptsales/common/logging.hpp"

namespace promptsales::jobs {
namespace {

class BackupDrillJob final : public Job {
 public:
  std::string name() const override { return "backup-drill"; }
  std::string description() const override {
    return "Restore the latest backup of each database into a scratch database, check it, drop it";
  }

  JobResult run(JobContext& ctx) const override {
    const auto key = backup::load_backup_key(ctx.config);
    const auto repository = backup::open_repository(ctx.config);
    auto log = logging::get("backup");
    backup::BackupContext bc{*repository, key, ctx.config.str("pg_bin_dir"),
                             [log](const std::string& line) { log->info("{}", line); }};
    const auto results = backup::run_drill(bc, ctx.config.str("database_url"));
    std::int64_t ok = 0, failed = 0;
    nlohmann::json problems = nlohmann::json::object();
    for (const auto& r : results) {
      if (r.ok) {
        ++ok;
      } else {
        ++failed;
        problems[r.database] = r.problem;
        log->error("drill of {} failed: {}", r.database, r.problem);
      }
    }
    auto out = JobResult::from_counts(ok, failed,
                                      "drill: " + std::to_string(ok) + " of " + std::to_string(results.size()) +
                                          " databases restored and matched their manifests");
    out.counts = {{"databases", results.size()}, {"failed", failed}};
    if (!problems.empty()) out.counts["problems"] = problems;
    return out;
  }
};

}  // namespace

std::unique_ptr<Job> make_backup_drill_job() { return std::make_unique<BackupDrillJob>(); }

}  // namespace promptsales::jobs
