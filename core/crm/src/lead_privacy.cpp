#include "promptsales/crm/lead_privacy.hpp"

#include <algorithm>

#include <ostream>

#include <pqxx/pqxx>

#include "hex.hpp"
#include "promptsales/common/db/errors.hpp"
#include "promptsales/common/db/pool.hpp"
#include "promptsales/common/errors.hpp"
#include "promptsales/common/time.hpp"
#include "promptsales/crm/error_report.hpp"
#include "promptsales/crm/lead_cipher.hpp"
#include "promptsales/crm/lead_validation.hpp"

namespace promptsales::crm {
namespace {

using detail::to_hex;

/// The normalised email, or ValidationError that does not repeat it (the
/// message may reach the audit log).
std::string checked_email(const std::string& email) {
  auto n = normalize_email(email);
  if (!n) throw ValidationError("EMAIL", "is not a valid email address (" + n.error().code + ")");
  return *n;
}

/// The leads (organization, id) holding an email's blind index, in one
/// organization ($2) or in every one ($2 NULL). The only index on the hash is
/// UNIQUE (organization_id, email_hash), so "every organization" walks the
/// distinct organizations first (a recursive loose index scan: one probe per
/// organization) and looks the hash up in each, instead of scanning every
/// lead of the sub-company. $1 is the hash in hex.
constexpr const char* kSubjectLeadsSql =
    "WITH RECURSIVE orgs(id) AS ("
    "  SELECT COALESCE($2::bigint, (SELECT min(organization_id) FROM leads))"
    "  UNION ALL"
    "  SELECT (SELECT min(organization_id) FROM leads WHERE organization_id > orgs.id) FROM orgs"
    "  WHERE orgs.id IS NOT NULL AND $2::bigint IS NULL) "
    "SELECT l.organization_id, l.id FROM orgs JOIN leads l "
    "ON l.organization_id = orgs.id AND l.email_hash = decode($1, 'hex') "
    "WHERE l.forgotten_at IS NULL ";

std::string where_text(std::optional<std::int64_t> org) {
  return org ? " in organization " + std::to_string(*org) : "";
}

}  // namespace

LeadPrivacy::LeadPrivacy(db::Pool& crm, crypto::Keyring keys) : crm_(crm), store_(crm, keys), keys_(std::move(keys)) {}
LeadPrivacy::~LeadPrivacy() = default;

SubjectExport LeadPrivacy::export_subject(const std::string& email, std::optional<std::int64_t> org) {
  const auto normalized = checked_email(email);
  SubjectExport out;
  std::vector<std::pair<std::int64_t, std::int64_t>> rows;  // (organization, id)
  try {
    crm_.with_connection([&](pqxx::connection& conn) {
      const LeadCipher cipher(keys_, load_index_key(conn, keys_));
      const auto hash = to_hex(cipher.email_hash(normalized));
      out.subject = hash.substr(0, 16);
      pqxx::nontransaction tx(conn);
      for (const auto& r : tx.exec_params(std::string(kSubjectLeadsSql) + "ORDER BY l.organization_id, l.id", hash, org)) {
        rows.emplace_back(r[0].as<std::int64_t>(), r[1].as<std::int64_t>());
      }
    });
  } catch (const Error&) {
    throw;
  } catch (...) {
    db::rethrow_translated();
  }
  if (rows.empty()) throw NotFound("no lead holds this email" + where_text(org) + " (subject " + out.subject + ")");
  for (const auto& [organization, id] : rows) {
    SubjectLead s;
    s.lead = store_.get(organization, id);
    crm_.with_connection([&](pqxx::connection& conn) {
      pqxx::nontransaction tx(conn);
      for (const auto& r : tx.exec_params("SELECT id, kind, occurred_at, metadata::text FROM lead_events "
                                          "WHERE lead_id = $1 ORDER BY occurred_at DESC, id DESC",
                                          id)) {
        s.events.push_back({r[0].as<std::int64_t>(), r[1].as<std::string>(), pg_timestamp_to_iso(r[2].c_str()),
                            nlohmann::json::parse(r[3].c_str())});
      }
      for (const auto& r :
           tx.exec_params("SELECT audience_id FROM audience_members WHERE lead_id = $1 ORDER BY audience_id", id)) {
        s.audience_ids.push_back(r[0].as<std::int64_t>());
      }
    });
    out.leads.push_back(std::move(s));
  }
  return out;
}

ForgetResult LeadPrivacy::forget(const std::string& email, std::optional<std::int64_t> org, bool dry_run) {
  const auto normalized = checked_email(email);
  ForgetResult result;
  result.dry_run = dry_run;
  auto lease = crm_.acquire();
  try {
    const LeadCipher cipher(keys_, load_index_key(*lease, keys_));
    const auto hash = to_hex(cipher.email_hash(normalized));
    result.subject = hash.substr(0, 16);
    pqxx::work tx(*lease);
    // FOR UPDATE: a concurrent import updating the same row waits, then
    // finds the hash gone and creates a new lead (with its own consent).
    for (const auto& r : tx.exec_params(std::string(kSubjectLeadsSql) + "ORDER BY l.id FOR UPDATE OF l", hash, org)) {
      result.lead_ids.push_back(r[1].as<std::int64_t>());
    }
    if (result.lead_ids.empty()) {
      throw NotFound("no lead holds this email" + where_text(org) + " (unknown, or already forgotten; subject " +
                     result.subject + ")");
    }
    std::string ids = "{";
    for (std::size_t i = 0; i < result.lead_ids.size(); ++i) ids += (i ? "," : "") + std::to_string(result.lead_ids[i]);
    ids += "}";
    result.events_cleared =
        tx.exec_params1("SELECT count(*) FROM lead_events WHERE lead_id = ANY($1::bigint[])", ids)[0].as<std::int64_t>();
    result.memberships_removed =
        tx.exec_params1("SELECT count(*) FROM audience_members WHERE lead_id = ANY($1::bigint[])", ids)[0]
            .as<std::int64_t>();
    if (dry_run) return result;  // the transaction rolls back
    // gen_random_bytes (pgcrypto): the new index matches no email, and the
    // UNIQUE (organization_id, email_hash) leaves room for a new lead.
    tx.exec_params(
        "UPDATE leads SET email_encrypted = NULL, name_encrypted = NULL, phone_encrypted = NULL, "
        "email_hash = gen_random_bytes(32), city = NULL, birth_date = NULL, age = NULL, interests = '{}', "
        "consent_email = false, consent_sms = false, consent_phone = false, consent_at = NULL, "
        "forgotten_at = now(), updated_at = now() WHERE id = ANY($1::bigint[])",
        ids);
    tx.exec_params("UPDATE lead_events SET metadata = '{}'::jsonb WHERE lead_id = ANY($1::bigint[])", ids);
    tx.exec_params("DELETE FROM audience_members WHERE lead_id = ANY($1::bigint[])", ids);
    tx.commit();
    return result;
  } catch (const Error&) {
    throw;
  } catch (...) {
    db::rethrow_translated();
  }
}

nlohmann::json lead_to_json(const Lead& l) {
  auto opt = [](const auto& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); };
  return {{"id", l.id},
          {"organizationId", l.organization_id},
          {"email", l.forgotten ? nlohmann::json(nullptr) : nlohmann::json(l.email)},
          {"name", opt(l.name)},
          {"phone", opt(l.phone)},
          {"source", opt(l.source)},
          {"country", opt(l.country)},
          {"city", opt(l.city)},
          {"interests", l.interests},
          {"birthDate", opt(l.birth_date)},
          {"age", opt(l.age)},
          {"consents", {{"email", l.consents.email}, {"sms", l.consents.sms}, {"phone", l.consents.phone},
                        {"givenAt", opt(l.consents.given_at)}}},
          {"status", std::string(to_string(l.status))},
          {"score", l.score},
          {"campaignId", opt(l.campaign_id)},
          {"forgotten", l.forgotten},
          {"createdAt", l.created_at},
          {"updatedAt", l.updated_at}};
}

namespace {

void write_csv_row(std::ostream& out, const Lead& l) {
  auto text = [](const std::optional<std::string>& v) { return v ? report_csv_field(*v) : std::string(); };
  std::string interests;
  for (const auto& i : l.interests) interests += (interests.empty() ? "" : "|") + i;
  auto flag = [](bool b) { return b ? "true" : "false"; };
  // The phone is E.164 (validated: "+" and digits), which cannot carry a
  // formula; the apostrophe would break a re-import, so it is written as is.
  out << l.id << ',' << report_csv_field(l.email) << ',' << text(l.name) << ',' << l.phone.value_or("") << ','
      << text(l.source) << ',' << text(l.country) << ',' << text(l.city) << ',' << report_csv_field(interests) << ','
      << l.birth_date.value_or("") << ',' << (l.age ? std::to_string(*l.age) : "") << ',' << flag(l.consents.email)
      << ',' << flag(l.consents.sms) << ',' << flag(l.consents.phone) << ',' << l.consents.given_at.value_or("")
      << ',' << to_string(l.status) << ',' << l.score << ','
      << (l.campaign_id ? std::to_string(*l.campaign_id) : "") << ',' << l.created_at << ',' << l.updated_at
      << "\r\n";
}

}  // namespace

std::uint64_t export_leads(PgLeadStore& store, LeadFilter filter, LeadExportFormat format, std::ostream& out) {
  return export_leads_page(store, std::move(filter), format, out, 0).count;
}

LeadExportPage export_leads_page(PgLeadStore& store, LeadFilter filter, LeadExportFormat format, std::ostream& out,
                                 std::uint64_t max_rows) {
  if (format == LeadExportFormat::csv) {
    out << "id,email,name,phone,source,country,city,interests,birth_date,age,consent_email,consent_sms,"
           "consent_phone,consent_given_at,status,score,campaign_id,created_at,updated_at\r\n";
  }
  filter.newest_first = false;  // keyset paging walks ids upwards
  filter.offset = 0;
  const int page_size = filter.limit;
  LeadExportPage result;
  std::uint64_t scanned = 0;
  for (;;) {
    if (max_rows > 0) filter.limit = static_cast<int>(std::min<std::uint64_t>(page_size, max_rows - scanned));
    const auto page = store.list(filter);
    for (const auto& l : page) {
      ++scanned;
      result.last_id = l.id;
      if (l.forgotten) continue;
      if (format == LeadExportFormat::csv) {
        write_csv_row(out, l);
      } else {
        out << lead_to_json(l).dump() << '\n';
      }
      ++result.count;
    }
    if (!out) throw Error("could not write the export (disk full?)");
    if (page.size() < static_cast<std::size_t>(filter.limit)) break;
    filter.after_id = page.back().id;
    if (max_rows > 0 && scanned >= max_rows) {
      result.more = true;
      break;
    }
  }
  return result;
}

}  // namespace promptsales::crm
