#pragma once
/// Encryption of a lead's personal data (email, name, phone) and the email's
/// blind index. Values use the column cipher of promptsales_data
/// (iv || AES-256-CBC || HMAC-SHA256, readable in SQL with
/// promptsales_decrypt(v, KEY, 'leads.email')).
///
/// The blind index key is NOT the data key: it is a random key generated once
/// per CRM database and stored wrapped under the data key (table index_keys).
/// Rotating the data key re-wraps it but never changes it, so email_hash,
/// which deduplicates imports through UNIQUE (organization_id, email_hash),
/// means the same thing before, during and after a rotation.

#include <optional>
#include <string>
#include <string_view>

#include <pqxx/connection>

#include "promptsales/common/crypto/column_cipher.hpp"
#include "promptsales/common/crypto/data_key.hpp"
#include "promptsales/crm/lead.hpp"


namespace promptsales::crm {

inline constexpr std::string_view kLeadEmailContext = "leads.email";
inline constexpr std::string_view kLeadNameContext = "leads.name";
inline constexpr std::string_view kLeadPhoneContext = "leads.phone";
/// Context of the wrapped blind index key in index_keys.
inline constexpr std::string_view kIndexKeyContext = "crm.index_key";

/// A lead's encrypted columns (raw bytes, not hex).
struct EncryptedLead {
  std::string email_hash;  ///< 32 bytes
  std::string email;
  std::optional<std::string> name;
  std::optional<std::string> phone;
};

class LeadCipher {
 public:
  /// `index_key` comes from load_index_key().
  LeadCipher(const crypto::Keyring& keys, const crypto::DataKey& index_key);
  LeadCipher(const LeadCipher&) = delete;
  LeadCipher& operator=(const LeadCipher&) = delete;

  /// HMAC-SHA256 of the normalised email under the index key (32 raw bytes):
  /// equal to crypto::blind_index(index_key, "leads.email", email).
  std::string email_hash(std::string_view normalized_email) const;
  /// Encrypts under the keyring's current key. Thread-safe.
  EncryptedLead encrypt(const LeadInput& lead) const;
  /// Decrypts a stored value written under key `key_id`. Throws ConfigError
  /// when the keyring lacks that key, IntegrityError when it fails verification.
  std::string decrypt(std::string_view key_id, std::string_view context, std::string_view stored) const;

  const crypto::Keyring& keys() const noexcept { return keys_; }
  const std::string& key_id() const noexcept { return keys_.current().id(); }

 private:
  crypto::Keyring keys_;
  /// Keyed once with HMAC(index_key, "promptsales blind index v1:leads.email").
  crypto::KeyedHmacSha256 hash_;
  crypto::ColumnEncryptor email_, name_, phone_;  ///< under keys_.current()
};

/// The CRM database's blind index key: unwrapped from index_keys, or
/// generated and stored (wrapped under the current data key) on first use.
/// Concurrent first uses agree on one key (INSERT ... ON CONFLICT DO NOTHING).
crypto::DataKey load_index_key(pqxx::connection& crm, const crypto::Keyring& keys);

}  // namespace promptsales::crm
