#pragma once
/// `backup drill`: proves the latest backup of each database restores.
/// Each is restored into a scratch database created for the drill on the
/// control database's server, checked (row counts against the manifest, a
/// sample select on every table that has rows) and dropped, even on failure.

#include <string>
#include <vector>

#include "promptsales/common/backup/backup_context.hpp"

namespace promptsales::backup {

struct DrillResult {
  std::string database;
  std::string backup_id;
  std::string scratch_database;
  bool ok = false;
  std::string problem;
  std::size_t tables = 0;
  std::int64_t rows = 0;
  double seconds = 0;
};

/// Throws NotFound when the repository holds no complete backup.
std::vector<DrillResult> run_drill(const BackupContext& context, const std::string& control_url);

}  // namespace promptsales::backup
