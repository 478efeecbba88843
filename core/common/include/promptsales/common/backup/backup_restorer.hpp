#pragma once
/// `backup restore`: pg_restore of one database's dump, decrypted into a
/// pipe, into a target database that must be empty (unless forced); then
/// every table's row count is compared with the manifest.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "promptsales/common/backup/backup_context.hpp"

namespace promptsales::backup {

struct RestoreOptions {
  std::string backup_id;
  std::string target_url;  ///< secret-bearing: never logged unmasked
  /// Which database of the backup; may be omitted when it holds only one.
  std::optional<std::string> database;
  bool force = false;  ///< replace what the target holds (pg_restore --clean --if-exists)
};

struct TableCheck {
  std::string table;
  std::int64_t expected = 0;
  std::int64_t restored = 0;
};

struct RestoreReport {
  std::string backup_id;
  std::string database;
  std::string target;  ///< masked
  std::uint64_t plaintext_bytes = 0;
  std::vector<TableCheck> tables;
};

/// Throws ValidationError (unknown database, non-empty target without
/// force), IntegrityError (tampered backup: pg_restore is killed before its
/// single transaction commits; or row counts that differ from the
/// manifest), Unavailable (pg_restore failed, target unreachable).
RestoreReport restore_backup(const BackupContext& context, const RestoreOptions& options);

}  // namespace promptsales::backup
