#pragma once
/// Encryption of one column value, readable by an operator with pgcrypto.
///
/// Stored form (one bytea): iv(16) || AES-256-CBC-PKCS#7(plaintext) || mac(32)
///   mac = HMAC-SHA256(mac_key, context || 0x00 || iv || ciphertext)
///   mac_key = HMAC-SHA256(key, "promptsales column mac v1")
/// `context` names the column ("users.email"), so a value copied into another
/// column fails verification. Encrypt-then-MAC: the MAC is checked before
/// any decryption. In SQL (KEY = decode('<64 hex>', 'hex')):
///   decrypt_iv(substring(v from 17 for octet_length(v) - 48), KEY,
///              substring(v for 16), 'aes-cbc/pad:pkcs')
///   -- integrity:
///   hmac('users.email'::bytea || '\x00'::bytea || substring(v for octet_length(v) - 32),
///        hmac('promptsales column mac v1', KEY, 'sha256'), 'sha256')
///     = substring(v from octet_length(v) - 31)
/// The migration 0002_users.sql defines promptsales_decrypt(v, KEY, context),
/// which does both and raises on a mismatch.

#include <memory>
#include <string>
#include <string_view>

#include "promptsales/common/crypto/data_key.hpp"

namespace promptsales::crypto {

/// Encrypts `plaintext` under `key` with a fresh random IV.
std::string encrypt_column(const DataKey& key, std::string_view context, std::string_view plaintext);

/// Verifies and decrypts a value written by encrypt_column. Throws
/// IntegrityError when the value is malformed, was changed, was written for
/// another context or under another key.
std::string decrypt_column(const DataKey& key, std::string_view context, std::string_view stored);

/// A keyed blind index for equality lookups (HMAC-SHA256 of `normalized`
/// under a key derived from `key` and `context`): equal inputs give equal
/// indexes, and without the key the index says nothing about the input.
std::string blind_index(const DataKey& key, std::string_view context, std::string_view normalized);

/// encrypt_column for many values under one key and context (bulk imports):
/// the MAC key is derived, the cipher fetched and the HMAC keyed once, not
/// per value. Same output form as encrypt_column. encrypt() is thread-safe.
class ColumnEncryptor {
 public:
  ColumnEncryptor(const DataKey& key, std::string_view context);
  ~ColumnEncryptor();
  ColumnEncryptor(const ColumnEncryptor&) = delete;
  ColumnEncryptor& operator=(const ColumnEncryptor&) = delete;
  std::string encrypt(std::string_view plaintext) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// HMAC-SHA256 under one key, keyed once (bulk blind indexes). Thread-safe.
class KeyedHmacSha256 {
 public:
  explicit KeyedHmacSha256(std::string_view key);
  ~KeyedHmacSha256();
  KeyedHmacSha256(const KeyedHmacSha256&) = delete;
  KeyedHmacSha256& operator=(const KeyedHmacSha256&) = delete;
  /// Equal to hmac_sha256(key, data).
  std::string operator()(std::string_view data) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// HMAC-SHA256 (32 raw bytes).
std::string hmac_sha256(std::string_view key, std::string_view data);

}  // namespace promptsales::crypto
