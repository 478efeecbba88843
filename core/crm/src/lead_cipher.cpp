#include "promptsales/crm/lead_cipher.hpp"

#include <openssl/rand.h>

#include <array>

#include <pqxx/pqxx>

#include "hex.hpp"
#include "promptsales/common/crypto/column_cipher.hpp"
#include "promptsales/common/db/errors.hpp"
#include "promptsales/common/errors.hpp"

namespace promptsales::crm {
namespace {

std::string_view raw(const crypto::DataKey& key) {
  return {reinterpret_cast<const char*>(key.bytes().data()), key.bytes().size()};
}

crypto::DataKey unwrap(const crypto::Keyring& keys, const std::string& key_id, const std::string& wrapped) {
  const auto* key = keys.find(key_id);
  if (!key) {
    throw ConfigError("the CRM database's index key is wrapped under data key id " + key_id +
                      ", which the configuration does not hold (set PROMPTSALES_DATA_KEY or "
                      "PROMPTSALES_DATA_KEY_PREVIOUS to that key)");
  }
  return crypto::DataKey::from_hex(crypto::decrypt_column(*key, kIndexKeyContext, wrapped), "index_keys");
}

}  // namespace

LeadCipher::LeadCipher(const crypto::Keyring& keys, const crypto::DataKey& index_key)
    // The same derivation as crypto::blind_index, done once instead of per row.
    : keys_(keys),
      hash_(crypto::hmac_sha256(raw(index_key), std::string("promptsales blind index v1:") +
                                                    std::string(kLeadEmailContext))),
      email_(keys_.current(), kLeadEmailContext),
      name_(keys_.current(), kLeadNameContext),
      phone_(keys_.current(), kLeadPhoneContext) {}

std::string LeadCipher::email_hash(std::string_view normalized_email) const { return hash_(normalized_email); }

EncryptedLead LeadCipher::encrypt(const LeadInput& lead) const {
  EncryptedLead out;
  out.email_hash = email_hash(lead.email);
  out.email = email_.encrypt(lead.email);
  if (lead.name) out.name = name_.encrypt(*lead.name);
  if (lead.phone) out.phone = phone_.encrypt(*lead.phone);
  return out;
}

std::string LeadCipher::decrypt(std::string_view key_id, std::string_view context, std::string_view stored) const {
  const auto* key = keys_.find(key_id);
  if (!key) {
    throw ConfigError("a lead is encrypted with key id " + std::string(key_id) +
                      ", which is neither the current nor the previous data key");
  }
  return crypto::decrypt_column(*key, context, stored);
}

crypto::DataKey load_index_key(pqxx::connection& crm, const crypto::Keyring& keys) {
  const std::string name(kLeadEmailContext);
  try {
    pqxx::nontransaction tx(crm);
    auto rows = tx.exec_params("SELECT key_id, wrapped FROM index_keys WHERE name = $1", name);
    if (rows.empty()) {
      std::array<std::uint8_t, 32> fresh{};
      if (RAND_bytes(fresh.data(), static_cast<int>(fresh.size())) != 1) throw Error("no randomness for a key");
      const auto key = crypto::DataKey::from_bytes(fresh);
      const auto hex = detail::to_hex(raw(key));
      const auto& wrap = keys.current();
      tx.exec_params(
          "INSERT INTO index_keys (name, wrapped, key_id) VALUES ($1, decode($2, 'hex'), $3) "
          "ON CONFLICT (name) DO NOTHING",
          name, detail::to_hex(crypto::encrypt_column(wrap, kIndexKeyContext, hex)), wrap.id());
      // Another process may have won the race: read back whichever is stored.
      rows = tx.exec_params("SELECT key_id, wrapped FROM index_keys WHERE name = $1", name);
    }
    return unwrap(keys, rows[0][0].as<std::string>(), pqxx::binarystring(rows[0][1]).str());
  } catch (const Error&) {
    throw;
  } catch (...) {
    db::rethrow_translated();
  }
}

}  // namespace promptsales::crm
