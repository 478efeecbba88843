#pragma once
/// The backups a repository holds, as list and prune see them.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "promptsales/common/backup/manifest.hpp"

namespace promptsales::backup {

enum class BackupState {
  complete,    ///< a manifest that authenticates
  incomplete,  ///< objects but no manifest: running, crashed or failed
  invalid,     ///< a manifest that does not authenticate (tampered, another key)
};
const char* to_string(BackupState state) noexcept;

struct BackupEntry {
  std::string id;
  BackupState state = BackupState::incomplete;
  std::optional<BackupManifest> manifest;  ///< when complete
  std::string problem;                     ///< when invalid
  std::vector<std::string> objects;        ///< every object under "<id>/"
  std::uint64_t stored_bytes = 0;
  long long created_unix = 0;              ///< from the id
};

/// Every backup, newest first. Objects outside "<backup id>/" are ignored.
std::vector<BackupEntry> list_backups(BackupRepository& repository, const BackupKey& key);

/// The newest complete backup holding `database` (any database when empty).
std::optional<BackupEntry> latest_backup(const std::vector<BackupEntry>& entries, const std::string& database = {});

/// Deletes a backup's objects, the manifest first so that a half-deleted
/// backup reads as incomplete, never as complete.
void delete_backup(BackupRepository& repository, const BackupEntry& entry);

}  // namespace promptsales::backup
