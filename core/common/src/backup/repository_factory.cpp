#include "promptsales/common/backup/repository_factory.hpp"

#include "promptsales/common/backup/local_directory_repository.hpp"
#include "promptsales/common/backup/s3_repository.hpp"
#include "promptsales/common/config.hpp"
#include "promptsales/common/errors.hpp"

namespace promptsales::backup {

std::unique_ptr<BackupRepository> open_repository(const Config& config) {
  std::string location = config.str("backup_repository");
  if (location.empty()) throw ConfigError("backup_repository is empty: name a directory for the backups");
  if (location.rfind("s3://", 0) == 0) {
    auto [bucket, prefix] = parse_s3_location(location);
    return std::make_unique<S3Repository>(outbound::S3Settings::from_config(config, bucket),
                                          outbound::ClientSettings::from_config(config),
                                          std::move(prefix));
  }
  if (location.rfind("file://", 0) == 0) {
    location = location.substr(7);
  } else if (const auto scheme = location.find("://"); scheme != std::string::npos) {
    throw ConfigError("backup_repository: unsupported scheme '" + location.substr(0, scheme) +
                      "' (a local directory path, file:///path or s3://bucket/prefix)");
  }
  return std::make_unique<LocalDirectoryRepository>(location);
}

}  // namespace promptsales::backup
