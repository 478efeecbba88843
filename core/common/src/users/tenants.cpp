#include "promptsales/common/tenants.hpp"

#include <pqxx/pqxx>

#include "../crypto/bytea.hpp"
#include "promptsales/common/crypto/column_cipher.hpp"
#include "promptsales/common/db/errors.hpp"
#include "promptsales/common/db/pool.hpp"
#include "promptsales/common/errors.hpp"
#include "promptsales/common/time.hpp"
#include "promptsales/common/users.hpp"
#include "promptsales/common/utf8.hpp"

namespace promptsales {
namespace {

constexpr const char* kColumns =
    "id, name, country, enabled, legal_name_encrypted, tax_id_encrypted, billing_email_encrypted, "
    "payment_reference_encrypted, key_id, created_at";

std::string trimmed(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

std::optional<std::string> text_field(const std::optional<std::string>& v, const char* field, std::size_t max) {
  if (!v) return std::nullopt;
  auto t = trimmed(*v);
  const auto n = utf8_length(t);
  if (!n || *n == 0 || *n > max) {
    throw ValidationError(field, "must be 1-" + std::to_string(max) + " characters of valid UTF-8");
  }
  return t;
}

Tenant from_row(const pqxx::row& r, const crypto::Keyring& keys) {
  Tenant t;
  t.id = r[0].as<std::int64_t>();
  t.name = r[1].as<std::string>();
  if (!r[2].is_null()) t.country = r[2].as<std::string>();
  t.enabled = r[3].as<bool>();
  if (!r[8].is_null()) t.key_id = r[8].as<std::string>();
  t.created_at = pg_timestamp_to_iso(r[9].c_str());
  if (!t.key_id) return t;
  const auto* key = keys.find(*t.key_id);
  if (!key) {
    throw ConfigError("organization " + std::to_string(t.id) + " is encrypted with key id " + *t.key_id +
                      ", which is neither the current nor the previous data key");
  }
  auto open = [&](const pqxx::field& f, std::string_view context) -> std::optional<std::string> {
    if (f.is_null()) return std::nullopt;
    return crypto::decrypt_column(*key, context, crypto::bytes_of(f));
  };
  t.secrets.legal_name = open(r[4], kOrgLegalNameContext);
  t.secrets.tax_id = open(r[5], kOrgTaxIdContext);
  t.secrets.billing_email = open(r[6], kOrgBillingEmailContext);
  t.secrets.payment_reference = open(r[7], kOrgPaymentReferenceContext);
  return t;
}

}  // namespace

Tenant PgTenants::add(const std::string& raw_name, const std::optional<std::string>& country,
                      const TenantSecrets& raw) {
  const auto name = text_field(raw_name, "name", 120);
  if (country && (country->size() != 2 || !std::isupper(static_cast<unsigned char>((*country)[0])) ||
                  !std::isupper(static_cast<unsigned char>((*country)[1])))) {
    throw ValidationError("country", "'" + country->substr(0, 20) + "' is not an ISO 3166-1 alpha-2 code like ES or US");
  }
  TenantSecrets s;
  s.legal_name = text_field(raw.legal_name, "legal-name", 200);
  s.tax_id = text_field(raw.tax_id, "tax-id", 50);
  if (raw.billing_email) s.billing_email = normalize_email(*raw.billing_email);
  s.payment_reference = text_field(raw.payment_reference, "payment-reference", 200);
  const bool any = s.legal_name || s.tax_id || s.billing_email || s.payment_reference;
  const auto& key = keys_.current();
  auto seal = [&](const std::optional<std::string>& v, std::string_view context) -> std::optional<std::string> {
    if (!v) return std::nullopt;
    return crypto::to_hex(crypto::encrypt_column(key, context, *v));
  };
  auto lease = control_.acquire();
  try {
    pqxx::work tx(*lease);
    const auto r = tx.exec_params1(
        std::string("INSERT INTO organizations (name, country, legal_name_encrypted, tax_id_encrypted, "
                    "billing_email_encrypted, payment_reference_encrypted, key_id) VALUES ($1, $2, "
                    "decode($3, 'hex'), decode($4, 'hex'), decode($5, 'hex'), decode($6, 'hex'), $7) RETURNING ") +
            kColumns,
        *name, country, seal(s.legal_name, kOrgLegalNameContext), seal(s.tax_id, kOrgTaxIdContext),
        seal(s.billing_email, kOrgBillingEmailContext), seal(s.payment_reference, kOrgPaymentReferenceContext),
        any ? std::optional<std::string>(key.id()) : std::nullopt);
    tx.commit();
    return from_row(r, keys_);
  } catch (const Error&) {
    throw;
  } catch (...) {
    db::rethrow_translated();
  }
}

std::vector<Tenant> PgTenants::list(int limit, int offset) {
  return control_.with_connection([&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);
    std::vector<Tenant> out;
    for (const auto& r : tx.exec_params(std::string("SELECT ") + kColumns +
                                            " FROM organizations ORDER BY id LIMIT $1 OFFSET $2",
                                        limit, offset)) {
      out.push_back(from_row(r, keys_));
    }
    return out;
  });
}

Tenant PgTenants::get(std::int64_t id) {
  return control_.with_connection([&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);
    const auto r = tx.exec_params(std::string("SELECT ") + kColumns + " FROM organizations WHERE id = $1", id);
    if (r.empty()) throw NotFound("organization " + std::to_string(id) + " does not exist");
    return from_row(r[0], keys_);
  });
}

}  // namespace promptsales
