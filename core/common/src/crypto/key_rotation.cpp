#include "promptsales/common/crypto/key_rotation.hpp"

#include <pqxx/pqxx>

#include "bytea.hpp"
#include "promptsales/common/crypto/column_cipher.hpp"
#include "promptsales/common/db/errors.hpp"
#include "promptsales/common/db/pool.hpp"
#include "promptsales/common/errors.hpp"
#include "promptsales/common/tenants.hpp"
#include "promptsales/common/users.hpp"

namespace promptsales::crypto {
namespace {

struct Column {
  const char* name;
  std::string_view context;
};

/// A blind index recomputed from a decrypted column (it depends on the key).
struct BlindIndex {
  const char* name;
  std::size_t source;  ///< index into columns
  std::string_view context;
};

struct TableSpec {
  const char* table;
  std::vector<Column> columns;
  std::optional<BlindIndex> index;
};

// Identifiers are these constants, never input.
const std::vector<TableSpec>& specs() {
  static const std::vector<TableSpec> kSpecs = {
      {"users",
       {{"email_encrypted", kUserEmailContext}, {"name_encrypted", kUserNameContext}},
       BlindIndex{"email_index", 0, "users.email"}},
      {"organizations",
       {{"legal_name_encrypted", kOrgLegalNameContext},
        {"tax_id_encrypted", kOrgTaxIdContext},
        {"billing_email_encrypted", kOrgBillingEmailContext},
        {"payment_reference_encrypted", kOrgPaymentReferenceContext}},
       std::nullopt},
  };
  return kSpecs;
}

std::map<std::string, std::int64_t> remaining(pqxx::connection& c, const TableSpec& spec, const DataKey& target) {
  pqxx::nontransaction tx(c);
  std::map<std::string, std::int64_t> out;
  for (const auto& r : tx.exec_params(std::string("SELECT key_id, count(*) FROM ") + spec.table +
                                          " WHERE key_id IS NOT NULL AND key_id <> $1 GROUP BY key_id",
                                      target.id())) {
    out[r[0].as<std::string>()] = r[1].as<std::int64_t>();
  }
  return out;
}

std::int64_t total(const std::map<std::string, std::int64_t>& m) {
  std::int64_t n = 0;
  for (const auto& [k, v] : m) n += v;
  return n;
}

// One batch in one transaction; returns the rows re-encrypted.
std::int64_t rotate_batch(pqxx::connection& c, const TableSpec& spec, const Keyring& readers, const DataKey& target,
                          std::size_t batch_size) {
  std::string select = "SELECT id, key_id";
  for (const auto& col : spec.columns) select += std::string(", ") + col.name;
  // Ordered by id and skipping rows another rotation holds: two concurrent
  // runs share the work instead of waiting for each other.
  select += std::string(" FROM ") + spec.table +
            " WHERE key_id IS NOT NULL AND key_id <> $1 ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED";
  std::string update = std::string("UPDATE ") + spec.table + " SET key_id = $2";
  int n = 3;
  for (const auto& col : spec.columns) update += std::string(", ") + col.name + " = decode($" + std::to_string(n++) + ", 'hex')";
  if (spec.index) update += std::string(", ") + spec.index->name + " = decode($" + std::to_string(n++) + ", 'hex')";
  update += " WHERE id = $1";

  pqxx::work tx(c);
  const auto rows = tx.exec_params(select, target.id(), static_cast<long long>(batch_size));
  for (const auto& r : rows) {
    const auto id = r[0].as<std::int64_t>();
    const auto key_id = r[1].as<std::string>();
    const DataKey* old = readers.find(key_id);
    if (!old) {
      throw ConfigError(std::string(spec.table) + " row " + std::to_string(id) + " is encrypted with key id " + key_id +
                        ", which the configuration does not hold (set PROMPTSALES_DATA_KEY or "
                        "PROMPTSALES_DATA_KEY_PREVIOUS to that key)");
    }
    std::vector<std::optional<std::string>> values;
    std::optional<std::string> index_source;
    for (std::size_t i = 0; i < spec.columns.size(); ++i) {
      const auto stored = optional_bytes_of(r[static_cast<int>(i) + 2]);
      if (!stored) {
        values.push_back(std::nullopt);
        continue;
      }
      const auto plain = decrypt_column(*old, spec.columns[i].context, *stored);
      if (spec.index && spec.index->source == i) index_source = plain;
      values.push_back(to_hex(encrypt_column(target, spec.columns[i].context, plain)));
    }
    if (spec.index) {
      values.push_back(index_source ? std::optional<std::string>(to_hex(blind_index(target, spec.index->context, *index_source)))
                                    : std::nullopt);
    }
    tx.exec_params(update, id, target.id(), pqxx::prepare::make_dynamic_params(values));
  }
  tx.commit();
  return static_cast<std::int64_t>(rows.size());
}

}  // namespace

RotationResult rotate_keys(db::Pool& control, const Keyring& readers, const DataKey& target,
                           const RotationOptions& options) {
  if (options.batch_size == 0 || options.batch_size > 100000) throw ValidationError("batch-size", "must be 1-100000");
  RotationResult result;
  result.new_key_id = target.id();
  result.dry_run = options.dry_run;
  auto lease = control.acquire();
  try {
    bool stopped = false;
    for (const auto& spec : specs()) {
      TableRotation t;
      t.table = spec.table;
      while (!options.dry_run && !stopped) {
        if (options.max_batches && result.batches >= *options.max_batches) {
          stopped = true;
          break;
        }
        const auto n = rotate_batch(*lease, spec, readers, target, options.batch_size);
        if (n == 0) break;
        t.rotated += n;
        ++result.batches;
        if (options.on_progress) options.on_progress({t.table, t.rotated, result.batches});
      }
      t.remaining_by_key = remaining(*lease, spec, target);
      t.remaining = total(t.remaining_by_key);
      result.tables.push_back(std::move(t));
    }
  } catch (const Error&) {
    throw;
  } catch (...) {
    db::rethrow_translated();
  }
  result.complete = true;
  for (const auto& t : result.tables) result.complete = result.complete && t.remaining == 0;
  return result;
}

}  // namespace promptsales::crypto
