#include "promptsales/common/backup/backup_key.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "promptsales/common/config.hpp"
#include "promptsales/common/errors.hpp"
#include "promptsales/common/hash.hpp"
#include "promptsales/common/key_text.hpp"

namespace promptsales::backup {

BackupKey BackupKey::from_hex(std::string_view hex, std::string_view source) {
  auto bytes = parse_hex_key(hex, source, "backup key");
  auto key = from_bytes(bytes);
  wipe_key(bytes);
  return key;
}

BackupKey BackupKey::from_file(const std::string& path) {
  auto bytes = read_hex_key_file(path, "backup_key_file", "backup key");
  auto key = from_bytes(bytes);
  wipe_key(bytes);
  return key;
}

BackupKey BackupKey::from_bytes(const std::array<std::uint8_t, 32>& bytes) {
  BackupKey k;
  k.bytes_ = bytes;
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(bytes.data(), bytes.size(), digest);
  std::copy(digest, digest + 8, k.id_bytes_.begin());
  return k;
}

std::string BackupKey::id() const {
  return hex_encode(std::string_view(reinterpret_cast<const char*>(id_bytes_.data()), id_bytes_.size()));
}

std::array<std::uint8_t, 32> BackupKey::derive(std::string_view label, std::string_view salt) const {
  std::string message(label);
  message.append(salt);
  std::array<std::uint8_t, 32> out{};
  unsigned int len = 0;
  HMAC(EVP_sha256(), bytes_.data(), static_cast<int>(bytes_.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), out.data(), &len);
  return out;
}

BackupKey::~BackupKey() { OPENSSL_cleanse(bytes_.data(), bytes_.size()); }

BackupKey load_backup_key(const Config& config) {
  const auto& value = config.get("backup_key");
  const auto& file = config.get("backup_key_file");
  const bool has_value = !value.value.empty();
  const bool has_file = !file.value.empty();
  if (has_value && value.source == ConfigSource::file) {
    throw ConfigError("backup_key must not be written in a config file (" + value.origin +
                      "): put the key in a file named by backup_key_file or in PROMPTSALES_BACKUP_KEY");
  }
  if (has_value && has_file) throw ConfigError("both backup_key and backup_key_file are set: give only one");
  if (has_value) return BackupKey::from_hex(value.value, value.origin.empty() ? "backup_key" : value.origin);
  if (has_file) return BackupKey::from_file(file.value);
  throw ConfigError(
      "no backup key configured: set PROMPTSALES_BACKUP_KEY (64 hex characters) or backup_key_file "
      "(PROMPTSALES_BACKUP_KEY_FILE), e.g. a mounted secret; generate one with `openssl rand -hex 32`");
}

}  // namespace promptsales::backup
