#pragma once
/// `backup run`: pg_dump -Fc of the control database and of every
/// sub-company database in its registry, each piped straight through the
/// encrypting writer into the repository (no unencrypted byte on disk),
/// then the manifest.

#include <optional>
#include <string>

#include "promptsales/common/backup/backup_context.hpp"
#include "promptsales/common/backup/manifest.hpp"

namespace promptsales::backup {

struct BackupRunOptions {
  std::string control_url;
  /// Only this database ("control" or a sub-company code); all when unset.
  std::optional<std::string> database;
};

/// Runs one backup and returns its manifest. On failure the objects it
/// already stored are removed (best effort) and the error is rethrown:
/// pg_dump's failure as Unavailable with its stderr, an unknown --database
/// as ValidationError.
BackupManifest run_backup(const BackupContext& context, const BackupRunOptions& options);

}  // namespace promptsales::backup
