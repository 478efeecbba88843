// `backup`: the nightly encrypted backup of the control database and every
// sub-company database (k8s CronJob `backup`, 03:00). A missing backup key or
// repository is a configuration error (exit 2, not retried).
#include "promptsales/common/backup/backup_runner.hpp"
#include "promptsales/common/backup/repository_factory.hpp"
#include "promptsales/common/config.hpp"
#include "promptsales/common/jobs/job.hpp"
#include "promptsales/common/logging.hpp"

namespace promptsales::jobs {
namespace {

class BackupJob final : public Job {
 public:
  std::string name() const override { return "backup"; }
  std::string description() const override {
    return "Encrypted pg_dump of the control and every sub-company database into backup_repository";
  }
  std::vector<ParamSpec> params() const override {
    return {{"database", ParamKind::text, "Only this database (control or a sub-company code)", std::nullopt, 0, 0}};
  }

  JobResult run(JobContext& ctx) const override {
    const auto key = backup::load_backup_key(ctx.config);
    const auto repository = backup::open_repository(ctx.config);
    auto log = logging::get("backup");
    backup::BackupContext bc{*repository, key, ctx.config.str("pg_bin_dir"),
                             [log](const std::string& line) { log->info("{}", line); }};
    backup::BackupRunOptions o;
    o.control_url = ctx.config.str("database_url");
    o.database = ctx.params.text("database");
    const auto manifest = backup::run_backup(bc, o);
    std::uint64_t bytes = 0;
    for (const auto& d : manifest.databases) bytes += d.encrypted_size;
    JobResult out;
    out.processed = static_cast<std::int64_t>(manifest.databases.size());
    out.counts = {{"backupId", manifest.id}, {"databases", manifest.databases.size()}, {"bytes", bytes}};
    out.message = "backup " + manifest.id + ": " + std::to_string(manifest.databases.size()) + " databases, " +
                  std::to_string(bytes) + " bytes";
    return out;
  }
};

}  // namespace

std::unique_ptr<Job> make_backup_job() { return std::make_unique<BackupJob>(); }

}  // namespace promptsales::jobs
