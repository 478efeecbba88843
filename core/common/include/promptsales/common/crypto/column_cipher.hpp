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

/// HMAC-SHA256 (32 raw bytes).
std::string hmac_sha256(std::string_view key, std::string_view data);

}  // namespace promptsales::crypto
