#pragma once
/// What every backup operation needs: where backups are, the key, the
/// PostgreSQL client programs, and a place to report progress.

#include <functional>
#include <string>

#include "promptsales/common/backup/backup_key.hpp"
#include "promptsales/common/backup/repository.hpp"

namespace promptsales::backup {

struct BackupContext {
  BackupRepository& repository;
  const BackupKey& key;
  std::string pg_bin;  ///< directory of pg_dump and pg_restore (PostgreSQL 15)
  /// One human line per long step (the CLI prints them on stderr).
  std::function<void(const std::string&)> progress = [](const std::string&) {};
};

}  // namespace promptsales::backup
