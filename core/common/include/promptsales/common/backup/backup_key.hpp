#pragma once
/// The backup key: 32 random bytes given as 64 hex characters in
/// PROMPTSALES_BACKUP_KEY or in a file named by `backup_key_file` (a mounted
/// secret). Separate from the data key, so a backup operator never holds the
/// key to the live columns and a restore needs only this one. Never read from
/// argv or a config file, never logged; backups record only its key id.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace promptsales {
class Config;
}

namespace promptsales::backup {

class BackupKey {
 public:
  /// Parses 64 hex characters (surrounding whitespace ignored). Throws
  /// ConfigError naming `source` but never quoting the text.
  static BackupKey from_hex(std::string_view hex, std::string_view source);
  /// Reads a key file (one line of 64 hex characters).
  static BackupKey from_file(const std::string& path);
  static BackupKey from_bytes(const std::array<std::uint8_t, 32>& bytes);

  const std::array<std::uint8_t, 32>& bytes() const noexcept { return bytes_; }
  /// The first 8 bytes of SHA-256(key): names the key in stream headers and
  /// manifests without revealing it.
  const std::array<std::uint8_t, 8>& id_bytes() const noexcept { return id_bytes_; }
  /// id_bytes() as 16 lowercase hex characters.
  std::string id() const;
  /// HMAC-SHA256(key, label || salt): a subkey for one purpose (one stream).
  std::array<std::uint8_t, 32> derive(std::string_view label, std::string_view salt = {}) const;

  ~BackupKey();
  BackupKey(const BackupKey&) = default;
  BackupKey& operator=(const BackupKey&) = default;

 private:
  BackupKey() = default;
  std::array<std::uint8_t, 32> bytes_{};
  std::array<std::uint8_t, 8> id_bytes_{};
};

/// `backup_key` (PROMPTSALES_BACKUP_KEY) or `backup_key_file`. Throws
/// ConfigError naming the settings when neither is set, when both are, or
/// when `backup_key` comes from a config file.
BackupKey load_backup_key(const Config& config);

}  // namespace promptsales::backup
