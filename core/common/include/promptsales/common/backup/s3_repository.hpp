#pragma once
/// A backup repository in an S3-compatible bucket (`backup_repository =
/// s3://bucket/prefix`), through the shared S3 client: timeouts, retries
/// with backoff and the "s3" circuit breaker come from the outbound client.
/// An object is a multipart upload that becomes visible only when it is
/// completed, so nothing half-written ever carries a backup's name; small
/// objects (the manifest) are one PUT. Only encrypted bytes are uploaded.

#include <memory>
#include <string>

#include "promptsales/common/backup/repository.hpp"
#include "promptsales/common/outbound/client.hpp"
#include "promptsales/common/outbound/s3_client.hpp"

namespace promptsales::backup {

class S3Repository final : public BackupRepository {
 public:
  /// `prefix` ("" or "a/b") is put before every object name.
  S3Repository(outbound::S3Settings settings, outbound::ClientSettings client, std::string prefix);
  ~S3Repository() override;

  std::unique_ptr<ObjectWriter> create(const std::string& name) override;
  void read(const std::string& name, const std::function<void(std::string_view)>& sink) override;
  std::vector<ObjectInfo> list(const std::string& prefix) override;
  void remove(const std::string& name) override;
  bool exists(const std::string& name) override;
  std::string describe() const override;

 private:
  std::string key_of(const std::string& name) const;

  std::unique_ptr<outbound::Client> http_;
  std::unique_ptr<outbound::S3Client> s3_;
  std::string prefix_;
};

/// Splits "s3://bucket/some/prefix" into bucket and prefix ("some/prefix").
/// ConfigError naming backup_repository when the bucket is missing.
std::pair<std::string, std::string> parse_s3_location(const std::string& location);

}  // namespace promptsales::backup
