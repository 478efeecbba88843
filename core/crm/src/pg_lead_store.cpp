#include "promptsales/crm/lead_store.hpp"

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "hex.hpp"
#include "promptsales/common/db/errors.hpp"
#include "promptsales/common/db/pool.hpp"
#include "promptsales/common/errors.hpp"
#include "promptsales/common/registry.hpp"
#include "promptsales/common/time.hpp"
#include "promptsales/crm/lead_cipher.hpp"

namespace promptsales::crm {
namespace {

using detail::to_hex;

constexpr const char* kColumns =
    "id, organization_id, key_id, email_encrypted, name_encrypted, phone_encrypted, source, country, city, "
    "array_to_json(interests)::text, birth_date::text, age, consent_email, consent_sms, consent_phone, "
    "consent_at, status, score, campaign_id, forgotten_at IS NOT NULL, created_at, updated_at";

std::optional<std::string> opt_text(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return f.as<std::string>();
}

Lead from_row(const pqxx::row& r, const LeadCipher& cipher) {
  Lead l;
  l.id = r[0].as<std::int64_t>();
  l.organization_id = r[1].as<std::int64_t>();
  const auto key_id = r[2].as<std::string>();
  auto decrypt = [&](const pqxx::field& f, std::string_view context) -> std::optional<std::string> {
    if (f.is_null()) return std::nullopt;
    return cipher.decrypt(key_id, context, pqxx::binarystring(f).str());
  };
  l.email = decrypt(r[3], kLeadEmailContext).value_or("");
  l.name = decrypt(r[4], kLeadNameContext);
  l.phone = decrypt(r[5], kLeadPhoneContext);
  l.source = opt_text(r[6]);
  l.country = opt_text(r[7]);
  l.city = opt_text(r[8]);
  l.interests = nlohmann::json::parse(r[9].c_str()).get<std::vector<std::string>>();
  l.birth_date = opt_text(r[10]);
  if (!r[11].is_null()) l.age = r[11].as<int>();
  l.consents.email = r[12].as<bool>();
  l.consents.sms = r[13].as<bool>();
  l.consents.phone = r[14].as<bool>();
  if (!r[15].is_null()) l.consents.given_at = pg_timestamp_to_iso(r[15].c_str());
  l.status = lead_status_from_string(r[16].c_str()).value_or(LeadStatus::new_);
  l.score = r[17].as<int>();
  if (!r[18].is_null()) l.campaign_id = r[18].as<std::int64_t>();
  l.forgotten = r[19].as<bool>();
  l.created_at = pg_timestamp_to_iso(r[20].c_str());
  l.updated_at = pg_timestamp_to_iso(r[21].c_str());
  return l;
}

std::optional<std::string> status_text(const std::optional<LeadStatus>& s) {
  if (!s) return std::nullopt;
  return std::string(to_string(*s));
}

std::optional<std::string> hex_of(const std::optional<std::string>& raw) {
  if (!raw) return std::nullopt;
  return to_hex(*raw);
}

constexpr const char* kInsert =
    "INSERT INTO leads (organization_id, email_hash, email_encrypted, name_encrypted, phone_encrypted, key_id, "
    "source, country, city, interests, birth_date, age, consent_email, consent_sms, consent_phone, consent_at, "
    "status, campaign_id) VALUES ($1, decode($2, 'hex'), decode($3, 'hex'), decode($4, 'hex'), decode($5, 'hex'), "
    "$6, $7, $8, $9, ARRAY(SELECT jsonb_array_elements_text($10::jsonb)), $11::date, $12, $13, $14, $15, "
    "$16::timestamptz, COALESCE($17, 'new'), $18)";

pqxx::result insert_lead(pqxx::transaction_base& tx, const LeadInput& in, const LeadCipher& c, const char* tail) {
  const auto enc = c.encrypt(in);
  return tx.exec_params(std::string(kInsert) + tail + " RETURNING " + kColumns, in.organization_id,
                        to_hex(enc.email_hash), to_hex(enc.email), hex_of(enc.name), hex_of(enc.phone), c.key_id(),
                        in.source, in.country, in.city, nlohmann::json(in.interests).dump(), in.birth_date, in.age,
                        in.consents.email, in.consents.sms, in.consents.phone, in.consents.given_at,
                        status_text(in.status), in.campaign_id);
}

}  // namespace

std::string locate_crm_database(const std::string& control_url) {
  try {
    pqxx::connection conn(control_url);
    return SubcompanyRegistry(control_url).locate(conn, "crm").url;
  } catch (const Error&) {
    throw;
  } catch (...) {
    db::rethrow_translated();
  }
}

PgLeadStore::PgLeadStore(db::Pool& crm, crypto::Keyring keys) : crm_(crm), keys_(std::move(keys)) {}
PgLeadStore::~PgLeadStore() = default;

const LeadCipher& PgLeadStore::cipher() {
  std::lock_guard lock(cipher_mutex_);
  if (!cipher_) {
    auto lease = crm_.acquire();
    cipher_ = std::make_unique<LeadCipher>(keys_, load_index_key(*lease, keys_));
  }
  return *cipher_;
}

Lead PgLeadStore::create(const LeadInput& in) {
  if (in.organization_id <= 0) throw ValidationError("organization", "must be a positive organization id");
  const auto& c = cipher();
  auto lease = crm_.acquire();
  try {
    pqxx::work tx(*lease);
    const auto inserted = insert_lead(tx, in, c, "");
    tx.commit();
    return from_row(inserted[0], c);
  } catch (const Error&) {
    throw;
  } catch (const pqxx::unique_violation&) {
    throw Conflict("organization " + std::to_string(in.organization_id) + " already has a lead with this email");
  } catch (...) {
    db::rethrow_translated();
  }
}

std::pair<Lead, bool> PgLeadStore::insert_or_get(pqxx::transaction_base& tx, const LeadInput& in) {
  if (in.organization_id <= 0) throw ValidationError("organization", "must be a positive organization id");
  const auto& c = cipher();
  try {
    const auto inserted = insert_lead(tx, in, c, " ON CONFLICT (organization_id, email_hash) DO NOTHING");
    if (!inserted.empty()) return {from_row(inserted[0], c), true};
    // Another row holds the email (committed: ON CONFLICT waited for it).
    const auto rows = tx.exec_params(std::string("SELECT ") + kColumns +
                                         " FROM leads WHERE organization_id = $1 AND email_hash = decode($2, 'hex')",
                                     in.organization_id, to_hex(c.email_hash(in.email)));
    if (rows.empty()) throw Conflict("the lead changed concurrently; retry");
    return {from_row(rows[0], c), false};
  } catch (const Error&) {
    throw;
  } catch (...) {
    db::rethrow_translated();
  }
}

Lead PgLeadStore::get(std::int64_t organization_id, std::int64_t id) {
  const auto& c = cipher();
  return crm_.with_connection([&](pqxx::connection& conn) {
    pqxx::nontransaction tx(conn);
    const auto rows = tx.exec_params(
        std::string("SELECT ") + kColumns + " FROM leads WHERE id = $1 AND organization_id = $2", id,
        organization_id);
    if (rows.empty()) {
      throw NotFound("lead " + std::to_string(id) + " not found in organization " + std::to_string(organization_id));
    }
    return from_row(rows[0], c);
  });
}

std::optional<Lead> PgLeadStore::find_by_email(std::int64_t organization_id, const std::string& normalized_email) {
  const auto& c = cipher();
  const auto hash = to_hex(c.email_hash(normalized_email));
  return crm_.with_connection([&](pqxx::connection& conn) -> std::optional<Lead> {
    pqxx::nontransaction tx(conn);
    const auto rows = tx.exec_params(std::string("SELECT ") + kColumns +
                                         " FROM leads WHERE organization_id = $1 AND email_hash = decode($2, 'hex')",
                                     organization_id, hash);
    if (rows.empty()) return std::nullopt;
    return from_row(rows[0], c);
  });
}

std::vector<Lead> PgLeadStore::list(const LeadFilter& f) {
  if (f.organization_id <= 0) throw ValidationError("org", "must be a positive organization id");
  if (f.limit < 1 || f.limit > 1000) throw ValidationError("limit", "must be 1-1000");
  if (f.offset < 0) throw ValidationError("offset", "must be 0 or more");
  const auto& c = cipher();
  // The email filter compares blind indexes: no lead is decrypted to search.
  const std::optional<std::string> email_hash =
      f.email ? std::optional(to_hex(c.email_hash(*f.email))) : std::nullopt;
  return crm_.with_connection([&](pqxx::connection& conn) {
    pqxx::nontransaction tx(conn);
    std::vector<Lead> out;
    for (const auto& r : tx.exec_params(
             std::string("SELECT ") + kColumns +
                 " FROM leads WHERE organization_id = $1 AND id > $2 "
                 "AND ($3::text IS NULL OR status = $3) AND ($4::text IS NULL OR country = $4) "
                 "AND ($5::text IS NULL OR source = $5) AND ($6::bigint IS NULL OR campaign_id = $6) "
                 "AND ($7::int IS NULL OR score >= $7) AND ($8::int IS NULL OR score <= $8) "
                 "AND ($10::text IS NULL OR email_hash = decode($10, 'hex')) "
                 "ORDER BY id " + (f.newest_first ? "DESC" : "ASC") + " LIMIT $9 OFFSET $11",
             f.organization_id, f.after_id, status_text(f.status), f.country, f.source, f.campaign_id, f.min_score,
             f.max_score, f.limit, email_hash, f.offset)) {
      out.push_back(from_row(r, c));
    }
    return out;
  });
}

Lead PgLeadStore::update(std::int64_t organization_id, std::int64_t id, const LeadUpdate& u) {
  if (u.score && (*u.score < 0 || *u.score > 100)) throw ValidationError("score", "must be 0-100");
  const auto& c = cipher();
  auto lease = crm_.acquire();
  try {
    pqxx::work tx(*lease);
    const auto rows = tx.exec_params(
        std::string("SELECT ") + kColumns +
            " FROM leads WHERE id = $1 AND organization_id = $2 AND forgotten_at IS NULL FOR UPDATE",
        id, organization_id);
    if (rows.empty()) {
      throw NotFound("lead " + std::to_string(id) + " not found in organization " + std::to_string(organization_id));
    }
    // Re-encrypt every personal value under the current key, so the row's
    // key_id stays true for all its columns.
    Lead current = from_row(rows[0], c);
    LeadInput in;
    in.email = current.email;
    in.name = u.name ? u.name : current.name;
    in.phone = u.phone ? u.phone : current.phone;
    const auto enc = c.encrypt(in);
    const std::optional<std::string> interests =
        u.interests ? std::optional(nlohmann::json(*u.interests).dump()) : std::nullopt;
    const auto r = tx.exec_params1(
        std::string("UPDATE leads SET email_encrypted = decode($3, 'hex'), name_encrypted = decode($4, 'hex'), "
                    "phone_encrypted = decode($5, 'hex'), key_id = $6, status = COALESCE($7, status), "
                    "score = COALESCE($8, score), source = COALESCE($9, source), country = COALESCE($10, country), "
                    "city = COALESCE($11, city), campaign_id = COALESCE($12, campaign_id), "
                    "interests = CASE WHEN $13::jsonb IS NULL THEN interests "
                    "ELSE ARRAY(SELECT jsonb_array_elements_text($13::jsonb)) END, "
                    "consent_email = COALESCE($14, consent_email), consent_sms = COALESCE($15, consent_sms), "
                    "consent_phone = COALESCE($16, consent_phone), "
                    "consent_at = CASE WHEN $17::timestamptz IS NOT NULL THEN $17::timestamptz "
                    "WHEN $18 THEN now() ELSE consent_at END, updated_at = now() "
                    "WHERE id = $1 AND organization_id = $2 RETURNING ") +
            kColumns,
        id, organization_id, to_hex(enc.email), hex_of(enc.name), hex_of(enc.phone), c.key_id(),
        status_text(u.status), u.score, u.source, u.country, u.city, u.campaign_id, interests, u.consent_email,
        u.consent_sms, u.consent_phone, u.consent_given_at, u.changes_consent());
    tx.commit();
    return from_row(r, c);
  } catch (const Error&) {
    throw;
  } catch (...) {
    db::rethrow_translated();
  }
}

}  // namespace promptsales::crm
