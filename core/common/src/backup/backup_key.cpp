#include "promptsales/common/backup/backup_key.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <cctype>
#include <fstream>
#include <sstream>

#include "promptsales/common/config.hpp"
#include "promptsales/common/errors.hpp"
#include "promptsales/common/hash.hpp"

namespace promptsales::backup {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

BackupKey BackupKey::from_hex(std::string_view hex, std::string_view source) {
  while (!hex.empty() && std::isspace(static_cast<unsigned char>(hex.front()))) hex.remove_prefix(1);
  while (!hex.empty() && std::isspace(static_cast<unsigned char>(hex.back()))) hex.remove_suffix(1);
  if (hex.size() != 64) {
    throw ConfigError(std::string(source) + ": a backup key is 64 hex characters (32 bytes); found " +
                      std::to_string(hex.size()) + " characters");
  }
  std::array<std::uint8_t, 32> bytes{};
  for (std::size_t i = 0; i < 32; ++i) {
    const int hi = hex_value(hex[2 * i]);
    const int lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      throw ConfigError(std::string(source) +
                        ": a backup key is 64 hex characters (0-9, a-f); found another character");
    }
    bytes[i] = static_cast<std::uint8_t>(hi * 16 + lo);
  }
  auto key = from_bytes(bytes);
  OPENSSL_cleanse(bytes.data(), bytes.size());
  return key;
}

BackupKey BackupKey::from_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError("backup_key_file: cannot read '" + path + "'");
  std::ostringstream text;
  text << in.rdbuf();
  std::string s = text.str();
  if (s.size() > 1024) throw ConfigError("backup_key_file: '" + path + "' is too large to hold one key");
  auto key = from_hex(s, "backup_key_file '" + path + "'");
  OPENSSL_cleanse(s.data(), s.size());
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
