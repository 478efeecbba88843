#pragma once
/// A repository in a local directory (or a mounted volume). Objects are
/// written to a hidden temporary file beside their final name, fsynced and
/// renamed on commit, so a crash never leaves a partial object under a real
/// name. Files are 0600 and directories 0700: only the service user reads
/// them, although their content is encrypted anyway.

#include "promptsales/common/backup/repository.hpp"

namespace promptsales::backup {

class LocalDirectoryRepository final : public BackupRepository {
 public:
  /// Creates `root` (0700) if it does not exist. Throws ConfigError if it
  /// cannot.
  explicit LocalDirectoryRepository(std::string root);

  std::unique_ptr<ObjectWriter> create(const std::string& name) override;
  void read(const std::string& name, const std::function<void(std::string_view)>& sink) override;
  std::vector<ObjectInfo> list(const std::string& prefix) override;
  void remove(const std::string& name) override;
  bool exists(const std::string& name) override;
  std::string describe() const override { return root_; }

  const std::string& root() const noexcept { return root_; }

 private:
  std::string root_;
};

}  // namespace promptsales::backup
