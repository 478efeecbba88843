#pragma once
/// `backup prune`: retention by age with a floor by count. The newest
/// `min_keep` good backups (complete, full) are never deleted whatever
/// their age; other backups go once older than `retention_days`; incomplete
/// ones (no manifest) once older than a day, so a running backup is safe.

#include <string>
#include <vector>

#include "promptsales/common/backup/backup_context.hpp"

namespace promptsales::backup {

struct PruneOptions {
  int retention_days = 30;
  int min_keep = 7;
  bool dry_run = false;
  long long now_unix = 0;  ///< the reference time (the CLI's --now, else the clock)
};

struct PruneDecision {
  std::string backup_id;
  std::string state;  ///< complete, incomplete, invalid
  bool full = false;
  long long age_days = 0;
  bool remove = false;
  std::string reason;
};

/// Decides for every backup and, unless dry_run, deletes. Newest first.
std::vector<PruneDecision> prune_backups(const BackupContext& context, const PruneOptions& options);

}  // namespace promptsales::backup
