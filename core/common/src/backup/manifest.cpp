#include "promptsales/common/backup/manifest.hpp"

#include <chrono>
#include <ctime>
#include <regex>

#include "promptsales/common/backup/encrypted_stream.hpp"
#include "promptsales/common/crypto/integrity_error.hpp"
#include "promptsales/common/errors.hpp"

namespace promptsales::backup {

const DatabaseDump* BackupManifest::find(const std::string& database) const {
  for (const auto& d : databases) {
    if (d.name == database) return &d;
  }
  return nullptr;
}

nlohmann::json to_json(const BackupManifest& m) {
  nlohmann::json dbs = nlohmann::json::array();
  for (const auto& d : m.databases) {
    dbs.push_back({{"name", d.name},
                   {"kind", d.kind},
                   {"object", d.object},
                   {"encryptedSize", d.encrypted_size},
                   {"encryptedSha256", d.encrypted_sha256},
                   {"plaintextSize", d.plaintext_size},
                   {"serverVersion", d.server_version},
                   {"migrations", d.migrations},
                   {"tables", d.tables}});
  }
  return {{"format", "promptsales-backup-manifest"},
          {"version", 1},
          {"id", m.id},
          {"startedAt", m.started_at},
          {"finishedAt", m.finished_at},
          {"keyId", m.key_id},
          {"toolVersion", m.tool_version},
          {"full", m.full},
          {"databases", dbs}};
}

BackupManifest manifest_from_json(const nlohmann::json& j) {
  try {
    if (j.at("format") != "promptsales-backup-manifest" || j.at("version") != 1) {
      throw crypto::IntegrityError("backup manifest: unknown format or version");
    }
    BackupManifest m;
    m.id = j.at("id").get<std::string>();
    m.started_at = j.at("startedAt").get<std::string>();
    m.finished_at = j.at("finishedAt").get<std::string>();
    m.key_id = j.at("keyId").get<std::string>();
    m.tool_version = j.at("toolVersion").get<std::string>();
    m.full = j.at("full").get<bool>();
    for (const auto& d : j.at("databases")) {
      DatabaseDump x;
      x.name = d.at("name").get<std::string>();
      x.kind = d.at("kind").get<std::string>();
      x.object = d.at("object").get<std::string>();
      x.encrypted_size = d.at("encryptedSize").get<std::uint64_t>();
      x.encrypted_sha256 = d.at("encryptedSha256").get<std::string>();
      x.plaintext_size = d.at("plaintextSize").get<std::uint64_t>();
      x.server_version = d.at("serverVersion").get<std::string>();
      x.migrations = d.at("migrations").get<std::vector<std::string>>();
      x.tables = d.at("tables").get<std::map<std::string, std::int64_t>>();
      m.databases.push_back(std::move(x));
    }
    return m;
  } catch (const nlohmann::json::exception& e) {
    throw crypto::IntegrityError(std::string("backup manifest: malformed (") + e.what() + ")");
  }
}

std::string manifest_object(const std::string& backup_id) { return backup_id + "/manifest.enc"; }

void write_manifest(BackupRepository& repository, const BackupKey& key, const BackupManifest& manifest) {
  auto object = repository.create(manifest_object(manifest.id));
  EncryptingWriter writer(key, [&](std::string_view b) { object->write(b); });
  writer.write(to_json(manifest).dump(2));
  writer.finish();
  object->commit();
}

BackupManifest read_manifest(BackupRepository& repository, const BackupKey& key, const std::string& backup_id) {
  const auto name = manifest_object(backup_id);
  std::string text;
  try {
    DecryptingReader reader(key, [&](std::string_view b) { text.append(b); });
    repository.read(name, [&](std::string_view b) { reader.feed(b); });
    reader.finish();
  } catch (const crypto::IntegrityError& e) {
    throw crypto::IntegrityError("backup " + backup_id + ": manifest refused: " + e.what());
  }
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception&) {
    throw crypto::IntegrityError("backup " + backup_id + ": manifest is not JSON");
  }
  auto m = manifest_from_json(j);
  if (m.id != backup_id) {
    throw crypto::IntegrityError("backup " + backup_id + ": manifest belongs to backup " + m.id + " (moved?)");
  }
  return m;
}

std::string new_backup_id() {
  const auto now = std::chrono::system_clock::now();
  const auto secs = std::chrono::system_clock::to_time_t(now);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d%02d%02dT%02d%02d%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

std::optional<long long> backup_id_time(const std::string& id) {
  static const std::regex pattern(R"(^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})\.\d{3}Z$)");
  std::smatch m;
  if (!std::regex_match(id, m, pattern)) return std::nullopt;
  std::tm tm{};
  tm.tm_year = std::stoi(m[1]) - 1900;
  tm.tm_mon = std::stoi(m[2]) - 1;
  tm.tm_mday = std::stoi(m[3]);
  tm.tm_hour = std::stoi(m[4]);
  tm.tm_min = std::stoi(m[5]);
  tm.tm_sec = std::stoi(m[6]);
  return static_cast<long long>(timegm(&tm));
}

}  // namespace promptsales::backup
