#include "promptsales/common/backup/backup_pruner.hpp"

#include "promptsales/common/backup/backup_catalog.hpp"
#include "promptsales/common/errors.hpp"

namespace promptsales::backup {

std::vector<PruneDecision> prune_backups(const BackupContext& ctx, const PruneOptions& o) {
  if (o.retention_days < 1) throw ValidationError("--retention-days", "must be at least 1");
  if (o.min_keep < 0) throw ValidationError("--min-keep", "must not be negative");
  constexpr long long kDay = 86400;
  const auto entries = list_backups(ctx.repository, ctx.key);
  std::vector<PruneDecision> out;
  int good_kept = 0;
  for (const auto& e : entries) {
    PruneDecision d;
    d.backup_id = e.id;
    d.state = to_string(e.state);
    d.full = e.manifest && e.manifest->full;
    const long long age = o.now_unix - e.created_unix;
    d.age_days = age / kDay;
    const bool expired = age > o.retention_days * kDay;
    if (e.state == BackupState::complete && d.full && good_kept < o.min_keep) {
      ++good_kept;
      d.reason = "among the newest " + std::to_string(o.min_keep) + " good backups";
    } else if (e.state == BackupState::incomplete) {
      d.remove = age > kDay;
      d.reason = d.remove ? "incomplete and older than a day" : "incomplete but recent (may be running)";
    } else {
      d.remove = expired;
      d.reason = expired ? "older than " + std::to_string(o.retention_days) + " days"
                         : "within " + std::to_string(o.retention_days) + " days";
    }
    if (d.remove && !o.dry_run) {
      ctx.progress("prune: deleting backup " + e.id + " (" + d.reason + ")");
      delete_backup(ctx.repository, e);
    }
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace promptsales::backup
