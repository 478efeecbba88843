#include "promptsales/crm/lead_key_rotation.hpp"

#include <pqxx/pqxx>

#include "hex.hpp"
#include "promptsales/common/crypto/column_cipher.hpp"
#include "promptsales/common/db/errors.hpp"
#include "promptsales/common/db/pool.hpp"
#include "promptsales/common/errors.hpp"
#include "promptsales/crm/lead_capture.hpp"
#include "promptsales/crm/lead_cipher.hpp"

namespace promptsales::crm {
namespace {

using detail::to_hex;

const crypto::DataKey& reader_for(const crypto::Keyring& readers, const std::string& what, const std::string& key_id) {
  const auto* k = readers.find(key_id);
  if (!k) {
    throw ConfigError(what + " is encrypted with key id " + key_id +
                      ", which the configuration does not hold (set PROMPTSALES_DATA_KEY or "
                      "PROMPTSALES_DATA_KEY_PREVIOUS to that key)");
  }
  return *k;
}

std::optional<std::string> rewrap(const pqxx::field& f, const crypto::DataKey& from, const crypto::DataKey& to,
                                  std::string_view context) {
  if (f.is_null()) return std::nullopt;
  return to_hex(crypto::encrypt_column(to, context, crypto::decrypt_column(from, context, pqxx::binarystring(f).str())));
}

// Keyset walk in id order (`after` is the last id seen), so each batch
// reads only rows after the previous one instead of rescanning.
std::int64_t rotate_batch(pqxx::connection& c, const crypto::Keyring& readers, const crypto::DataKey& target,
                          std::size_t batch_size, std::int64_t& after) {
  pqxx::work tx(c);
  const auto rows = tx.exec_params(
      "SELECT id, key_id, email_encrypted, name_encrypted, phone_encrypted FROM leads WHERE id > $3 AND key_id <> $1 "
      "ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED",
      target.id(), static_cast<long long>(batch_size), after);
  if (!rows.empty()) after = rows[rows.size() - 1][0].as<std::int64_t>();
  for (const auto& r : rows) {
    const auto id = r[0].as<std::int64_t>();
    const auto& old = reader_for(readers, "lead " + std::to_string(id), r[1].as<std::string>());
    tx.exec_params(
        "UPDATE leads SET key_id = $2, email_encrypted = decode($3, 'hex'), name_encrypted = decode($4, 'hex'), "
        "phone_encrypted = decode($5, 'hex') WHERE id = $1",
        id, target.id(), rewrap(r[2], old, target, kLeadEmailContext), rewrap(r[3], old, target, kLeadNameContext),
        rewrap(r[4], old, target, kLeadPhoneContext));
  }
  tx.commit();
  return static_cast<std::int64_t>(rows.size());
}

void rewrap_index_keys(pqxx::connection& c, const crypto::Keyring& readers, const crypto::DataKey& target) {
  pqxx::work tx(c);
  for (const auto& r : tx.exec_params("SELECT name, key_id, wrapped FROM index_keys WHERE key_id <> $1 FOR UPDATE",
                                      target.id())) {
    const auto& old = reader_for(readers, "index key " + r[0].as<std::string>(), r[1].as<std::string>());
    tx.exec_params("UPDATE index_keys SET key_id = $2, wrapped = decode($3, 'hex'), updated_at = now() WHERE name = $1",
                   r[0].as<std::string>(), target.id(), rewrap(r[2], old, target, kIndexKeyContext));
  }
  tx.commit();
}

/// Capture secrets (lead_capture.hpp): few rows, one transaction.
void rewrap_capture_secrets(pqxx::connection& c, const crypto::Keyring& readers, const crypto::DataKey& target) {
  pqxx::work tx(c);
  for (const auto& r : tx.exec_params(
           "SELECT id, key_id, secret_encrypted FROM lead_captures WHERE key_id <> $1 FOR UPDATE", target.id())) {
    const auto& old = reader_for(readers, "lead capture " + r[0].as<std::string>(), r[1].as<std::string>());
    tx.exec_params("UPDATE lead_captures SET key_id = $2, secret_encrypted = decode($3, 'hex') WHERE id = $1",
                   r[0].as<std::string>(), target.id(), rewrap(r[2], old, target, kCaptureSecretContext));
  }
  tx.commit();
}

}  // namespace

crypto::TableRotation rotate_lead_keys(db::Pool& crm, const crypto::Keyring& readers, const crypto::DataKey& target,
                                       const crypto::RotationOptions& options, std::int64_t& batches) {
  crypto::TableRotation t;
  t.table = "leads";
  auto lease = crm.acquire();
  try {
    if (!options.dry_run) {
      rewrap_index_keys(*lease, readers, target);
      rewrap_capture_secrets(*lease, readers, target);
      std::int64_t after = 0;
      for (;;) {
        if (options.max_batches && batches >= *options.max_batches) break;
        const auto n = rotate_batch(*lease, readers, target, options.batch_size, after);
        if (n == 0) break;
        t.rotated += n;
        ++batches;
        if (options.on_progress) options.on_progress({t.table, t.rotated, batches});
      }
    }
    pqxx::nontransaction tx(*lease);
    for (const auto& r : tx.exec_params("SELECT key_id, count(*) FROM leads WHERE key_id <> $1 GROUP BY key_id",
                                        target.id())) {
      t.remaining_by_key[r[0].as<std::string>()] = r[1].as<std::int64_t>();
      t.remaining += r[1].as<std::int64_t>();
    }
    return t;
  } catch (const Error&) {
    throw;
  } catch (...) {
    db::rethrow_translated();
  }
}

}  // namespace promptsales::crm
