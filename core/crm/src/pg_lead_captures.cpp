// Capture endpoints in the CRM database (lead_captures) and the endpoint's
// transaction: remember the signature, then insert the lead or find it.
#include <openssl/rand.h>

#include <pqxx/pqxx>

#include "hex.hpp"
#include "promptsales/common/crypto/column_cipher.hpp"
#include "promptsales/common/db/errors.hpp"
#include "promptsales/common/db/pool.hpp"
#include "promptsales/common/time.hpp"
#include "promptsales/crm/lead_capture.hpp"
#include "promptsales/crm/lead_store.hpp"

namespace promptsales::crm {
namespace {

using detail::to_hex;

constexpr const char* kColumns =
    "id, organization_id, campaign_id, enabled, leads_created, leads_existing, last_received_at, "
    "secret_rotated_at, created_at, updated_at";

std::string random_hex(std::size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1) {
    throw Error("the system's random generator failed");
  }
  return to_hex(raw);
}

LeadCapture from_row(const pqxx::row& r) {
  LeadCapture c;
  c.id = r[0].as<std::string>();
  c.organization_id = r[1].as<std::int64_t>();
  c.campaign_id = r[2].as<std::int64_t>();
  c.enabled = r[3].as<bool>();
  c.leads_created = r[4].as<std::int64_t>();
  c.leads_existing = r[5].as<std::int64_t>();
  if (!r[6].is_null()) c.last_received_at = pg_timestamp_to_iso(r[6].c_str());
  c.secret_rotated_at = pg_timestamp_to_iso(r[7].c_str());
  c.created_at = pg_timestamp_to_iso(r[8].c_str());
  c.updated_at = pg_timestamp_to_iso(r[9].c_str());
  return c;
}

[[noreturn]] void not_found(const std::string& id) {
  throw NotFound("lead capture '" + id.substr(0, 40) + "' not found");
}

/// The one row of `id` when `tenancy` allows its organization.
/// A fresh secret, and its column-cipher form under the current data key.
struct NewSecret {
  std::string plain;
  std::string encrypted_hex;
  std::string key_id;
};

NewSecret new_secret(const crypto::Keyring& keys) {
  NewSecret s;
  s.plain = "pscs_" + random_hex(32);
  const auto& key = keys.current();
  s.encrypted_hex = to_hex(crypto::encrypt_column(key, kCaptureSecretContext, s.plain));
  s.key_id = key.id();
  return s;
}

void check_tenancy(const std::string& id, std::int64_t organization_id, Tenancy tenancy) {
  if (!tenancy.allows(organization_id)) not_found(id);
}

}  // namespace

PgLeadCaptures::PgLeadCaptures(db::Pool& crm, crypto::Keyring keys)
    : crm_(crm), keys_(std::move(keys)), leads_(std::make_unique<PgLeadStore>(crm, keys_)) {}

PgLeadCaptures::~PgLeadCaptures() = default;

CaptureWithSecret PgLeadCaptures::create(std::int64_t organization_id, std::int64_t campaign_id) {
  if (organization_id <= 0) throw ValidationError("org", "must be a positive organization id");
  if (campaign_id <= 0) throw ValidationError("campaign", "must be a positive campaign id");
  const auto secret = new_secret(keys_);
  CaptureWithSecret out;
  out.secret = secret.plain;
  try {
    auto lease = crm_.acquire();
    pqxx::work tx(*lease);
    const auto r = tx.exec_params1(
        std::string("INSERT INTO lead_captures (id, organization_id, campaign_id, secret_encrypted, key_id) "
                    "VALUES ($1, $2, $3, decode($4, 'hex'), $5) RETURNING ") +
            kColumns,
        "cap_" + random_hex(12), organization_id, campaign_id, secret.encrypted_hex, secret.key_id);
    tx.commit();
    out.capture = from_row(r);
    return out;
  } catch (const Error&) {
    throw;
  } catch (...) {
    db::rethrow_translated();
  }
}

LeadCapture PgLeadCaptures::get(const std::string& id, Tenancy tenancy) {
  if (!is_capture_id(id)) not_found(id);
  return crm_.with_connection([&](pqxx::connection& conn) {
    pqxx::nontransaction tx(conn);
    const auto rows = tx.exec_params(std::string("SELECT ") + kColumns + " FROM lead_captures WHERE id = $1", id);
    if (rows.empty()) not_found(id);
    auto c = from_row(rows[0]);
    check_tenancy(id, c.organization_id, tenancy);
    return c;
  });
}

std::vector<LeadCapture> PgLeadCaptures::list(std::optional<std::int64_t> organization_id, Tenancy tenancy) {
  if (const auto own = tenancy.organization()) {
    if (organization_id && *organization_id != *own) {
      throw Forbidden("org: this caller is limited to organization " + std::to_string(*own));
    }
    organization_id = own;
  }
  return crm_.with_connection([&](pqxx::connection& conn) {
    pqxx::nontransaction tx(conn);
    std::vector<LeadCapture> out;
    for (const auto& r : tx.exec_params(std::string("SELECT ") + kColumns +
                                            " FROM lead_captures WHERE ($1::bigint IS NULL OR organization_id = $1) "
                                            "ORDER BY created_at DESC, id LIMIT 10000",
                                        organization_id)) {
      out.push_back(from_row(r));
    }
    return out;
  });
}

LeadCapture PgLeadCaptures::set_enabled(const std::string& id, bool enabled, Tenancy tenancy) {
  if (!is_capture_id(id)) not_found(id);
  try {
    auto lease = crm_.acquire();
    pqxx::work tx(*lease);
    const auto rows = tx.exec_params(
        std::string("UPDATE lead_captures SET enabled = $2, updated_at = now() WHERE id = $1 RETURNING ") + kColumns,
        id, enabled);
    if (rows.empty()) not_found(id);
    auto c = from_row(rows[0]);
    check_tenancy(id, c.organization_id, tenancy);  // throws before commit: nothing changes
    tx.commit();
    return c;
  } catch (const Error&) {
    throw;
  } catch (...) {
    db::rethrow_translated();
  }
}

CaptureWithSecret PgLeadCaptures::rotate_secret(const std::string& id, Tenancy tenancy) {
  if (!is_capture_id(id)) not_found(id);
  const auto secret = new_secret(keys_);
  CaptureWithSecret out;
  out.secret = secret.plain;
  try {
    auto lease = crm_.acquire();
    pqxx::work tx(*lease);
    const auto rows = tx.exec_params(
        std::string("UPDATE lead_captures SET secret_encrypted = decode($2, 'hex'), key_id = $3, "
                    "secret_rotated_at = now(), updated_at = now() WHERE id = $1 RETURNING ") +
            kColumns,
        id, secret.encrypted_hex, secret.key_id);
    if (rows.empty()) not_found(id);
    out.capture = from_row(rows[0]);
    check_tenancy(id, out.capture.organization_id, tenancy);
    // Signatures made with the old secret are void; forget them too.
    tx.exec_params("DELETE FROM lead_capture_signatures WHERE capture_id = $1", id);
    tx.commit();
    return out;
  } catch (const Error&) {
    throw;
  } catch (...) {
    db::rethrow_translated();
  }
}

CaptureResult PgLeadCaptures::receive(const std::string& id, std::optional<std::string_view> timestamp,
                                      std::optional<std::string_view> signature, std::string_view body,
                                      const CaptureReceiveOptions& options,
                                      std::chrono::system_clock::time_point now) {
  if (!is_capture_id(id)) throw CaptureRefused(404, "capture_not_found", "no enabled lead capture has this id");
  leads_->cipher();  // loads the blind index key on its own connection, before ours is taken
  try {
    auto lease = crm_.acquire();
    // 1. The capture and its secret (a disabled one answers like an unknown one).
    std::int64_t organization_id = 0, campaign_id = 0;
    std::string secret;
    {
      pqxx::nontransaction read(*lease);
      const auto rows = read.exec_params(
          "SELECT organization_id, campaign_id, key_id, secret_encrypted FROM lead_captures "
          "WHERE id = $1 AND enabled",
          id);
      if (rows.empty()) throw CaptureRefused(404, "capture_not_found", "no enabled lead capture has this id");
      organization_id = rows[0][0].as<std::int64_t>();
      campaign_id = rows[0][1].as<std::int64_t>();
      const auto key_id = rows[0][2].as<std::string>();
      const auto* key = keys_.find(key_id);
      if (!key) {
        throw Unavailable("this lead capture cannot be verified now",
                          "capture " + id + " secret is under key id " + key_id + ", which this server does not hold");
      }
      secret = crypto::decrypt_column(*key, kCaptureSecretContext, pqxx::binarystring(rows[0][3]).str());
    }
    // 2. Who sent it, then what they sent.
    const std::string sig = verify_capture_signature(secret, timestamp, signature, body, now, options.tolerance);
    LeadInput lead = parse_capture_body(body, organization_id, options.default_country);
    lead.campaign_id = campaign_id;
    // 3. One transaction: the signature is remembered only if the lead is
    // stored, so a sender may retry a request that failed here.
    pqxx::work tx(*lease);
    const auto keep = std::to_string(2 * options.tolerance.count() + 60) + " seconds";
    tx.exec_params("DELETE FROM lead_capture_signatures WHERE seen_at < now() - $1::interval", keep);
    const auto fresh = tx.exec_params(
        "INSERT INTO lead_capture_signatures (capture_id, signature) VALUES ($1, decode($2, 'hex')) "
        "ON CONFLICT DO NOTHING RETURNING 1",
        id, to_hex(sig));
    if (fresh.empty()) {
      throw CaptureRefused(409, "replayed", "this signed request was received before; sign each lead once");
    }
    const auto [stored, created] = leads_->insert_or_get(tx, lead);
    tx.exec_params(
        "UPDATE lead_captures SET leads_created = leads_created + $2, leads_existing = leads_existing + $3, "
        "last_received_at = now() WHERE id = $1",
        id, created ? 1 : 0, created ? 0 : 1);
    tx.commit();
    return CaptureResult{stored.id, created, campaign_id};
  } catch (const Error&) {
    throw;
  } catch (...) {
    db::rethrow_translated();
  }
}

}  // namespace promptsales::crm
