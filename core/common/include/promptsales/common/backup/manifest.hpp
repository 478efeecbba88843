#pragma once
/// The manifest of one backup: what was dumped, from where, and the facts a
/// verify or a restore checks against. Stored encrypted (the stream format)
/// as "<id>/manifest.enc" and written last, so a backup without one is
/// incomplete; a changed byte makes it unreadable rather than misleading.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "promptsales/common/backup/backup_key.hpp"
#include "promptsales/common/backup/repository.hpp"

namespace promptsales::backup {

struct DatabaseDump {
  std::string name;            ///< "control" or the sub-company code
  std::string kind;            ///< registry kind: control, ads, crm, ...
  std::string object;          ///< repository object name
  std::uint64_t encrypted_size = 0;
  std::string encrypted_sha256;  ///< of the object's bytes, hex
  std::uint64_t plaintext_size = 0;  ///< the pg_dump -Fc archive
  std::string server_version;
  std::vector<std::string> migrations;  ///< applied, by version
  std::map<std::string, std::int64_t> tables;  ///< "schema.table" -> rows in the dump's snapshot
};

struct BackupManifest {
  std::string id;  ///< UTC "YYYYMMDDTHHMMSS.mmmZ": sorts by time
  std::string started_at;
  std::string finished_at;
  std::string key_id;
  std::string tool_version;
  bool full = true;  ///< every database of the installation (not --database)
  std::vector<DatabaseDump> databases;

  const DatabaseDump* find(const std::string& database) const;
};

nlohmann::json to_json(const BackupManifest& m);
/// Throws IntegrityError on a missing or mistyped field.
BackupManifest manifest_from_json(const nlohmann::json& j);

/// "<id>/manifest.enc".
std::string manifest_object(const std::string& backup_id);

/// Encrypts and stores the manifest (commit = the backup is complete).
void write_manifest(BackupRepository& repository, const BackupKey& key, const BackupManifest& manifest);
/// Reads and authenticates it; throws NotFound, or IntegrityError (tampered,
/// another key, or a manifest of another backup moved here).
BackupManifest read_manifest(BackupRepository& repository, const BackupKey& key, const std::string& backup_id);

/// A new backup id for the current time.
std::string new_backup_id();
/// Seconds since the epoch of a backup id; nullopt if it is not one.
std::optional<long long> backup_id_time(const std::string& id);

}  // namespace promptsales::backup
