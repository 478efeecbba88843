#include "promptsales/common/crypto/data_key.hpp"

#include <openssl/crypto.h>

#include "promptsales/common/config.hpp"
#include "promptsales/common/crypto/column_cipher.hpp"
#include "promptsales/common/errors.hpp"
#include "promptsales/common/key_text.hpp"
#include "bytea.hpp"

namespace promptsales::crypto {
namespace {

// One key from a variable or a file; `value_key` from a config file is
// refused so that keys live only in the environment or a secret file.
std::optional<DataKey> key_from(const Config& config, std::string_view value_key, std::string_view file_key) {
  const auto& value = config.get(value_key);
  const auto& file = config.get(file_key);
  const bool has_value = !value.value.empty();
  const bool has_file = !file.value.empty();
  if (has_value && value.source == ConfigSource::file) {
    throw ConfigError(std::string(value_key) + " must not be written in a config file (" + value.origin +
                      "): put the key in a file named by " + std::string(file_key) + " or in the environment");
  }
  if (has_value && has_file) {
    throw ConfigError("both " + std::string(value_key) + " and " + std::string(file_key) + " are set: give only one");
  }
  if (has_value) return DataKey::from_hex(value.value, value.origin.empty() ? value_key : value.origin);
  if (has_file) return DataKey::from_file(file.value);
  return std::nullopt;
}

}  // namespace

DataKey DataKey::from_hex(std::string_view hex, std::string_view source) {
  auto bytes = parse_hex_key(hex, source, "data key");
  auto key = from_bytes(bytes);
  wipe_key(bytes);
  return key;
}

DataKey DataKey::from_file(const std::string& path) {
  auto bytes = read_hex_key_file(path, "data key file", "data key");
  auto key = from_bytes(bytes);
  wipe_key(bytes);
  return key;
}

DataKey DataKey::from_bytes(const std::array<std::uint8_t, 32>& bytes) {
  DataKey k;
  k.bytes_ = bytes;
  const std::string_view raw(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  k.id_ = to_hex(hmac_sha256(raw, "promptsales key id").substr(0, 8));
  return k;
}

DataKey::~DataKey() { OPENSSL_cleanse(bytes_.data(), bytes_.size()); }

Keyring::Keyring(DataKey current, std::vector<DataKey> previous) {
  keys_.push_back(std::move(current));
  for (auto& k : previous) {
    if (!find(k.id())) keys_.push_back(std::move(k));
  }
}

const DataKey* Keyring::find(std::string_view key_id) const noexcept {
  for (const auto& k : keys_) {
    if (k.id() == key_id) return &k;
  }
  return nullptr;
}

std::optional<Keyring> try_load_keyring(const Config& config) {
  auto current = key_from(config, "data_key", "data_key_file");
  auto previous = key_from(config, "data_key_previous", "data_key_previous_file");
  if (!current) {
    if (previous) throw ConfigError("data_key_previous is set but no current data key (PROMPTSALES_DATA_KEY or data_key_file)");
    return std::nullopt;
  }
  std::vector<DataKey> others;
  if (previous) others.push_back(std::move(*previous));
  return Keyring(std::move(*current), std::move(others));
}

Keyring load_keyring(const Config& config) {
  auto ring = try_load_keyring(config);
  if (!ring) {
    throw ConfigError(
        "no data key configured: set PROMPTSALES_DATA_KEY (64 hex characters) or data_key_file "
        "(PROMPTSALES_DATA_KEY_FILE), e.g. a mounted secret; generate one with `openssl rand -hex 32`");
  }
  return std::move(*ring);
}

}  // namespace promptsales::crypto
