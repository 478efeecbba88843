#pragma once
/// The repository `backup_repository` names: a local directory (a path or
/// file:///path), or an S3-compatible bucket (s3://bucket/prefix, with the
/// endpoint and credentials of the s3_* settings).

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
