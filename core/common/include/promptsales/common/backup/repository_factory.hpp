#pragma once
/// The repository `backup_repository` names: a local directory (a path or
/// file:///path). Other schemes (s3://) are added here.

#include <memory>

#include "promptsales/common/backup/repository.hpp"

namespace promptsales {
class Config;
}

namespace promptsales::backup {

/// Throws ConfigError naming backup_repository when it is empty, of an
/// unsupported scheme, or cannot be created.
std::unique_ptr<BackupRepository> open_repository(const Config& config);

}  // namespace promptsales::backup
