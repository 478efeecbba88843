#pragma once
/// `backup verify`: decrypts every object of a backup, checks its size and
/// SHA-256 against the manifest, and has `pg_restore --list` read the
/// decrypted archive from a pipe (never from disk).

#include <string>
#include <vector>

#include "promptsales/common/backup/backup_context.hpp"

namespace promptsales::backup {

struct ObjectVerification {
  std::string database;
  std::string object;
  bool ok = false;
  std::string problem;  ///< when not ok
  std::uint64_t plaintext_bytes = 0;
  std::size_t archive_entries = 0;  ///< TOC entries pg_restore --list printed
};

struct VerifyReport {
  std::string backup_id;
  std::vector<ObjectVerification> objects;
  bool ok() const;
};

/// Checks every object (does not stop at the first bad one). Throws
/// NotFound for an unknown id and IntegrityError for a refused manifest.
VerifyReport verify_backup(const BackupContext& context, const std::string& backup_id);

}  // namespace promptsales::backup
