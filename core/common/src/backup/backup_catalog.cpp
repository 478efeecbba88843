#include "promptsales/common/backup/backup_catalog.hpp"

#include <algorithm>
#include <map>

#include "promptsales/common/crypto/integrity_error.hpp"

namespace promptsales::backup {

const char* to_string(BackupState state) noexcept {
  switch (state) {
    case BackupState::complete: return "complete";
    case BackupState::incomplete: return "incomplete";
    case BackupState::invalid: return "invalid";
  }
  return "unknown";
}

std::vector<BackupEntry> list_backups(BackupRepository& repository, const BackupKey& key) {
  std::map<std::string, BackupEntry> by_id;
  for (const auto& object : repository.list("")) {
    const auto slash = object.name.find('/');
    if (slash == std::string::npos) continue;
    const auto id = object.name.substr(0, slash);
    const auto created = backup_id_time(id);
    if (!created) continue;
    auto& e = by_id[id];
    e.id = id;
    e.created_unix = *created;
    e.objects.push_back(object.name);
    e.stored_bytes += object.size;
  }
  std::vector<BackupEntry> out;
  for (auto& [id, e] : by_id) {
    const bool has_manifest = std::find(e.objects.begin(), e.objects.end(), manifest_object(id)) != e.objects.end();
    if (has_manifest) {
      try {
        e.manifest = read_manifest(repository, key, id);
        e.state = BackupState::complete;
      } catch (const crypto::IntegrityError& err) {
        e.state = BackupState::invalid;
        e.problem = err.what();
      }
    }
    out.push_back(std::move(e));
  }
  std::sort(out.begin(), out.end(), [](const BackupEntry& a, const BackupEntry& b) { return a.id > b.id; });
  return out;
}

std::optional<BackupEntry> latest_backup(const std::vector<BackupEntry>& entries, const std::string& database) {
  for (const auto& e : entries) {
    if (e.state != BackupState::complete) continue;
    if (database.empty() || e.manifest->find(database)) return e;
  }
  return std::nullopt;
}

void delete_backup(BackupRepository& repository, const BackupEntry& entry) {
  const auto manifest = manifest_object(entry.id);
  if (std::find(entry.objects.begin(), entry.objects.end(), manifest) != entry.objects.end()) {
    repository.remove(manifest);
  }
  for (const auto& o : entry.objects) {
    if (o != manifest) repository.remove(o);
  }
}

}  // namespace promptsales::backup
