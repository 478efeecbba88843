#pragma once
/// Data-encryption keys for sensitive columns. A key is 32 random bytes
/// given as 64 hex characters in PROMPTSALES_DATA_KEY or in a file named by
/// `data_key_file` (a mounted Kubernetes secret). It is never read from argv,
/// never logged and never stored in the database: rows store only its key id,
/// a short fingerprint, so a reader and `keys rotate` know which key a row uses.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace promptsales {
class Config;
}

namespace promptsales::crypto {

/// One 256-bit key and its fingerprint.
class DataKey {
 public:
  /// Parses 64 hex characters (surrounding whitespace ignored). Throws
  /// ConfigError naming `source` (a variable or file name) but never quoting
  /// the text, which may be a mistyped key.
  static DataKey from_hex(std::string_view hex, std::string_view source);
  /// Reads a key file (one line of 64 hex characters).
  static DataKey from_file(const std::string& path);
  static DataKey from_bytes(const std::array<std::uint8_t, 32>& bytes);

  const std::array<std::uint8_t, 32>& bytes() const noexcept { return bytes_; }
  /// 16 hex characters: the first 8 bytes of
  /// HMAC-SHA256(key, "promptsales key id"). Reveals nothing useful about the
  /// key; in SQL: encode(substring(hmac('promptsales key id', KEY, 'sha256') for 8), 'hex').
  const std::string& id() const noexcept { return id_; }

  ~DataKey();
  DataKey(const DataKey&) = default;
  DataKey& operator=(const DataKey&) = default;

 private:
  DataKey() = default;
  std::array<std::uint8_t, 32> bytes_{};
  std::string id_;
};

/// The keys a process can read with (current first) and the one it writes with.
class Keyring {
 public:
  explicit Keyring(DataKey current, std::vector<DataKey> previous = {});
  /// The key new values are encrypted with.
  const DataKey& current() const noexcept { return keys_.front(); }
  /// The key with id `key_id`, or nullptr when this process does not hold it.
  const DataKey* find(std::string_view key_id) const noexcept;
  const std::vector<DataKey>& keys() const noexcept { return keys_; }

 private:
  std::vector<DataKey> keys_;
};

/// The keyring from the configuration: `data_key` (PROMPTSALES_DATA_KEY) or
/// `data_key_file` as the current key, plus `data_key_previous`
/// (PROMPTSALES_DATA_KEY_PREVIOUS) or `data_key_previous_file` while a
/// rotation is under way. Throws ConfigError when no key is configured, when
/// both a key and a key file are given, or when `data_key` comes from a
/// config file (keys belong in the environment or a secret file).
Keyring load_keyring(const Config& config);

/// The current key alone, nullopt when none is configured (commands that
/// can work without encryption, like `user permissions`).
std::optional<Keyring> try_load_keyring(const Config& config);

}  // namespace promptsales::crypto
