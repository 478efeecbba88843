#include "promptsales/crm/lead_importer.hpp"

#include <openssl/sha.h>

#include <algorithm>
#include <future>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "copy_line.hpp"
#include "hex.hpp"
#include "promptsales/common/db/binary_copy.hpp"
#include "promptsales/common/db/errors.hpp"
#include "promptsales/common/db/pool.hpp"
#include "promptsales/common/errors.hpp"
#include "promptsales/crm/lead_cipher.hpp"

namespace promptsales::crm {
namespace {

using detail::to_hex;

// The staging tables live for the session. A batch holds each email once
// (duplicates are merged before staging), so email_hash can be the key of
// the one update mode reads by email (lead_staging_keyed); the others skip
// that index.
constexpr const char* kStagingColumns =
    "email_encrypted bytea NOT NULL, name_encrypted bytea, phone_encrypted bytea, source text, country text, "
    "city text, interests text[] NOT NULL, birth_date date, age smallint, consent_email boolean NOT NULL, "
    "consent_sms boolean NOT NULL, consent_phone boolean NOT NULL, consent_at timestamptz, status text, "
    "campaign_id bigint)";

std::string create_staging(const std::string& table) {
  return "CREATE TEMP TABLE IF NOT EXISTS " + table + " (line bigint NOT NULL, email_hash bytea NOT NULL" +
         (table == "lead_staging_keyed" ? " PRIMARY KEY, " : ", ") + kStagingColumns;
}

constexpr const char* kInsertFromStaging =
    "INSERT INTO leads (organization_id, email_hash, email_encrypted, name_encrypted, phone_encrypted, key_id, "
    "source, country, city, interests, birth_date, age, consent_email, consent_sms, consent_phone, consent_at, "
    "status, campaign_id) "
    "SELECT $1, email_hash, email_encrypted, name_encrypted, phone_encrypted, $2, source, country, city, "
    "interests, birth_date, age, consent_email, consent_sms, consent_phone, consent_at, COALESCE(status, 'new'), "
    "campaign_id FROM ";

constexpr const char* kOnConflictNothing =
    "ON CONFLICT (organization_id, email_hash) DO NOTHING RETURNING email_hash, true";

// Absent fields keep the stored value (the same rule merge_update applies
// within a batch). A lead erased on request stays erased; a lead still on an
// older data key is updated only when no encrypted value of it would be kept
// under the old key id (otherwise the row is rejected: rotate keys first).
constexpr const char* kOnConflictUpdate =
    "ON CONFLICT (organization_id, email_hash) DO UPDATE SET "
    "email_encrypted = EXCLUDED.email_encrypted, "
    "name_encrypted = COALESCE(EXCLUDED.name_encrypted, leads.name_encrypted), "
    "phone_encrypted = COALESCE(EXCLUDED.phone_encrypted, leads.phone_encrypted), "
    "key_id = EXCLUDED.key_id, "
    "source = COALESCE(EXCLUDED.source, leads.source), "
    "country = COALESCE(EXCLUDED.country, leads.country), "
    "city = COALESCE(EXCLUDED.city, leads.city), "
    "interests = CASE WHEN cardinality(EXCLUDED.interests) > 0 THEN EXCLUDED.interests ELSE leads.interests END, "
    "birth_date = COALESCE(EXCLUDED.birth_date, leads.birth_date), "
    "age = COALESCE(EXCLUDED.age, leads.age), "
    "consent_email = CASE WHEN EXCLUDED.consent_at IS NOT NULL THEN EXCLUDED.consent_email "
    "  ELSE leads.consent_email OR EXCLUDED.consent_email END, "
    "consent_sms = CASE WHEN EXCLUDED.consent_at IS NOT NULL THEN EXCLUDED.consent_sms "
    "  ELSE leads.consent_sms OR EXCLUDED.consent_sms END, "
    "consent_phone = CASE WHEN EXCLUDED.consent_at IS NOT NULL THEN EXCLUDED.consent_phone "
    "  ELSE leads.consent_phone OR EXCLUDED.consent_phone END, "
    "consent_at = COALESCE(EXCLUDED.consent_at, leads.consent_at), "
    // EXCLUDED.status is already defaulted to 'new': whether the file gave
    // one is in the staging row.
    "status = COALESCE((SELECT s.status FROM lead_staging_keyed s WHERE s.email_hash = EXCLUDED.email_hash), "
    "  leads.status), "
    "campaign_id = COALESCE(EXCLUDED.campaign_id, leads.campaign_id), "
    "updated_at = now() "
    "WHERE leads.forgotten_at IS NULL AND (leads.key_id = EXCLUDED.key_id OR "
    "  ((EXCLUDED.name_encrypted IS NOT NULL OR leads.name_encrypted IS NULL) AND "
    "   (EXCLUDED.phone_encrypted IS NOT NULL OR leads.phone_encrypted IS NULL))) "
    "RETURNING email_hash, (xmax = 0)";

// The batch's emails the organization already has, whatever the lead's
// state: the unique constraint counts them all. One lookup of the unique
// index per hash (run with a generic plan, see probe()): a plain
// `email_hash = ANY($2)` let the planner, with statistics that lag behind a
// running import, scan all of the organization's leads per batch
// (quadratic); OFFSET 0 keeps the lateral subquery a parameterised lookup.
constexpr const char* kProbe =
    "SELECT l.email_hash FROM unnest($2::bytea[]) AS h(v) CROSS JOIN LATERAL "
    "(SELECT email_hash FROM leads WHERE organization_id = $1 AND email_hash = h.v OFFSET 0) l";

constexpr const char* kOrgHasLeads = "SELECT EXISTS (SELECT 1 FROM leads WHERE organization_id = $1)";

constexpr const char* kSaveCheckpoint =
    "INSERT INTO lead_imports (import_key, organization_id, on_duplicate, state, last_line, records, created, "
    "updated, skipped, failed) VALUES (decode($1, 'hex'), $2, $3, 'running', $4, $5, $6, $7, $8, $9) "
    "ON CONFLICT (import_key) DO UPDATE SET last_line = EXCLUDED.last_line, records = EXCLUDED.records, "
    "created = EXCLUDED.created, updated = EXCLUDED.updated, skipped = EXCLUDED.skipped, "
    "failed = EXCLUDED.failed, updated_at = now()";

constexpr const char* kSaveErrors =
    "INSERT INTO lead_import_errors (import_key, line, code, message) "
    "SELECT decode($1, 'hex'), (e->>'line')::bigint, e->>'code', e->>'message' "
    "FROM jsonb_array_elements($2::jsonb) e ON CONFLICT DO NOTHING";

constexpr std::size_t kCopyChunk = 64 * 1024;

struct Counts {
  std::uint64_t records = 0, created = 0, updated = 0, skipped = 0, failed = 0;
};

/// One email of a batch: the lead to stage and every line it occurs on.
struct Pending {
  LeadInput lead;
  std::string hash;  ///< the email's blind index (set by encrypt)
  std::vector<std::size_t> lines;
  std::string body;  ///< copy_body: the COPY columns both paths share
};

struct Batch {
  std::vector<Pending> rows;
  std::vector<RowError> errors;  ///< source errors; duplicate errors are added when written
  std::uint64_t records = 0;
  std::uint64_t source_failed = 0;
  std::size_t last_line = 0;
};

struct Written {
  Counts delta;
  std::vector<RowError> errors;  ///< all of the batch's errors, in line order
};

// Update mode merges a later occurrence into the earlier one exactly as the
// ON CONFLICT DO UPDATE would apply it to a stored row, so the result does
// not depend on where batch boundaries fall.
void merge_update(LeadInput& into, const LeadInput& later) {
  auto take = [](auto& a, const auto& b) {
    if (b) a = b;
  };
  take(into.name, later.name);
  take(into.phone, later.phone);
  take(into.source, later.source);
  take(into.country, later.country);
  take(into.city, later.city);
  if (!later.interests.empty()) into.interests = later.interests;
  take(into.birth_date, later.birth_date);
  take(into.age, later.age);
  if (later.consents.given_at) {
    into.consents = later.consents;
  } else {
    into.consents.email = into.consents.email || later.consents.email;
    into.consents.sms = into.consents.sms || later.consents.sms;
    into.consents.phone = into.consents.phone || later.consents.phone;
  }
  take(into.status, later.status);
  take(into.campaign_id, later.campaign_id);
}

RowError duplicate_error(std::size_t line, std::int64_t org, std::optional<std::size_t> earlier) {
  RowError e;
  e.line = line;
  e.column = "email";
  e.code = "duplicate_email";
  e.message = earlier ? "the same email as line " + std::to_string(*earlier) + " of this file"
                      : "organization " + std::to_string(org) +
                            " already has a lead with this email (stored before, or earlier in this file)";
  return e;
}

RowError not_updatable_error(std::size_t line) {
  RowError e;
  e.line = line;
  e.column = "email";
  e.code = "not_updatable";
  e.message =
      "the stored lead with this email was erased on request, or is encrypted under an older data key and this "
      "row would not replace all its personal data (run `promptsales keys rotate` first)";
  return e;
}

std::string sha256(std::string_view data) {
  unsigned char out[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), out);
  return std::string(reinterpret_cast<const char*>(out), sizeof out);
}

std::string import_key_of(const ImportOptions& o) {
  std::string digest = *o.content_digest;
  if (digest.size() == 64) digest = detail::from_hex(digest);
  if (digest.size() != 32) throw ValidationError("content_digest", "must be a SHA-256 (32 bytes or 64 hex)");
  std::string material = "promptsales lead import v1";
  material.push_back('\0');
  material += digest;
  material += std::to_string(o.organization_id) + '\0' + std::string(to_string(o.on_duplicate)) + '\0' +
              o.reader_fingerprint;
  return to_hex(sha256(material));
}

class Pipeline {
 public:
  /// `org_has_leads`: whether the organization had leads when the import
  /// started (then every batch probes for stored emails).
  Pipeline(const LeadCipher& cipher, const ImportOptions& o, std::string import_key, bool org_has_leads)
      : cipher_(cipher),
        o_(o),
        key_(std::move(import_key)),
        staging_(o.on_duplicate == OnDuplicate::update ? "lead_staging_keyed" : "lead_staging"),
        probing_(org_has_leads) {}

  const std::string& staging() const noexcept { return staging_; }

  /// Dedupes and merges within the batch, then encrypts on the pool.
  void prepare(Batch& b, std::vector<ReadRecord>& records) const {
    // The blind index is a function of the normalised email, so equal
    // emails are equal hashes: deduplicate on the email here and compute
    // the hash once, on the encryption threads.
    std::unordered_map<std::string_view, std::size_t> index;
    index.reserve(records.size());
    b.rows.reserve(records.size());
    for (auto& r : records) {
      if (!r.lead) continue;
      const auto it = index.find(r.lead->email);
      if (it == index.end()) {
        // The key views the moved-in email: rows was reserved, so it stays put.
        b.rows.push_back(Pending{std::move(*r.lead), {}, {r.line}, {}});
        index.emplace(b.rows.back().lead.email, b.rows.size() - 1);
        continue;
      }
      auto& kept = b.rows[it->second];
      kept.lines.push_back(r.line);
      if (o_.on_duplicate == OnDuplicate::update) merge_update(kept.lead, *r.lead);
    }
    encrypt(b.rows);
  }

  /// Writes one batch in `tx`; the caller commits (or, dry run, never does).
  Written write(pqxx::dbtransaction& tx, Batch& b, const Counts& before) const {
    Written w;
    w.errors = std::move(b.errors);
    w.delta.records = b.records;
    w.delta.failed = b.source_failed;
    const Outcome outcome = b.rows.empty() ? Outcome{} : write_rows(tx, b);
    std::vector<RowError> stored;  // errors that depend on the database: kept for a resumed run
    for (const auto& p : b.rows) {
      const auto found = outcome.find(p.hash);
      const bool returned = found != outcome.end();
      const bool inserted = returned && found->second.second;
      const auto m = p.lines.size();
      switch (o_.on_duplicate) {
        case OnDuplicate::skip:
          w.delta.created += inserted ? 1 : 0;
          w.delta.skipped += inserted ? m - 1 : m;
          break;
        case OnDuplicate::update:
          if (!returned) {
            w.delta.failed += m;
            for (auto line : p.lines) stored.push_back(not_updatable_error(line));
          } else {
            w.delta.created += inserted ? 1 : 0;
            w.delta.updated += inserted ? m - 1 : m;
          }
          break;
        case OnDuplicate::error:
          w.delta.created += inserted ? 1 : 0;
          w.delta.failed += inserted ? m - 1 : m;
          for (std::size_t i = inserted ? 1 : 0; i < m; ++i) {
            stored.push_back(duplicate_error(p.lines[i], o_.organization_id,
                                             i > 0 ? std::optional<std::size_t>(p.lines[0]) : std::nullopt));
          }
          break;
      }
    }
    if (!key_.empty()) {
      if (!stored.empty()) {
        nlohmann::json j = nlohmann::json::array();
        for (const auto& e : stored) j.push_back({{"line", e.line}, {"code", e.code}, {"message", e.message}});
        tx.exec_params(kSaveErrors, key_, j.dump());
      }
      const Counts after{before.records + w.delta.records, before.created + w.delta.created,
                         before.updated + w.delta.updated, before.skipped + w.delta.skipped,
                         before.failed + w.delta.failed};
      tx.exec_params(kSaveCheckpoint, key_, o_.organization_id, std::string(to_string(o_.on_duplicate)),
                     static_cast<long long>(b.last_line), static_cast<long long>(after.records),
                     static_cast<long long>(after.created), static_cast<long long>(after.updated),
                     static_cast<long long>(after.skipped), static_cast<long long>(after.failed));
    }
    w.errors.insert(w.errors.end(), stored.begin(), stored.end());
    std::stable_sort(w.errors.begin(), w.errors.end(),
                     [](const RowError& a, const RowError& b2) { return a.line < b2.line; });
    return w;
  }

  /// Batches written again through ON CONFLICT after their COPY hit the
  /// unique constraint.
  std::uint64_t fallbacks() const noexcept { return fallbacks_; }

 private:
  /// Per email hash written or matched: (returned, inserted), as RETURNING
  /// email_hash, (xmax = 0) reports it; an absent hash was left alone.
  using Outcome = std::unordered_map<std::string, std::pair<bool, bool>>;

  /// The fast path: the new leads are COPYed straight into leads (no
  /// staging table, no speculative insertion). Which emails are new: once
  /// the organization has leads, one index probe per batch finds the stored
  /// ones (in update mode those go through the ON CONFLICT DO UPDATE, which
  /// holds the update rules). Into an organization that had no leads when
  /// the import started, batches are COPYed without probing (a probe costs
  /// about what an insert does) until the first unique violation shows a
  /// repeat across batches; from then on every batch probes.
  /// A unique violation rolls the batch back to its savepoint and writes it
  /// again the safe way: all of it through ON CONFLICT. After a probe, that
  /// means another writer (lead capture, an API call) stored one of the
  /// emails between the probe and the COPY.
  Outcome write_rows(pqxx::dbtransaction& tx, const Batch& b) const {
    std::vector<const Pending*> fresh, stored;
    if (probing_) {
      const auto existing = probe(tx, b.rows);
      for (const auto& p : b.rows) (existing.count(p.hash) ? stored : fresh).push_back(&p);
    } else {
      for (const auto& p : b.rows) fresh.push_back(&p);
    }
    try {
      pqxx::subtransaction sub(tx, "lead_import_batch");
      Outcome out;
      if (!fresh.empty()) copy_into_leads(sub, fresh);
      if (o_.on_duplicate == OnDuplicate::update && !stored.empty()) out = upsert(sub, stored);
      sub.commit();
      for (const auto* p : fresh) out[p->hash] = {true, true};
      return out;
    } catch (const pqxx::unique_violation&) {
      ++fallbacks_;
      probing_ = true;
    }
    std::vector<const Pending*> all;
    all.reserve(b.rows.size());
    for (const auto& p : b.rows) all.push_back(&p);
    return upsert(tx, all);
  }

  /// The hashes of `rows` that the organization already has.
  std::unordered_set<std::string> probe(pqxx::transaction_base& tx, const std::vector<Pending>& rows) const {
    // In index order, so that consecutive lookups share its pages.
    std::vector<const std::string*> sorted;
    sorted.reserve(rows.size());
    for (const auto& p : rows) sorted.push_back(&p.hash);
    std::sort(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) { return *a < *b; });
    std::string hashes = "{";
    hashes.reserve(2 + rows.size() * 68);
    for (const auto* h : sorted) {
      if (hashes.size() > 1) hashes.push_back(',');
      hashes += "\\\\x";  // an unquoted array element: \\ is one backslash, then bytea's \x
      detail::append_hex(hashes, *h);
    }
    hashes.push_back('}');
    // A generic plan: planned for the values given, the probe of an
    // organization that the statistics estimate at one row (all of its
    // leads arrived after the last ANALYZE, as in its first big import) may
    // use leads_org_id, which looks as cheap, and scan all of its leads for
    // each email. Planned for any organization, the unique index wins.
    tx.exec("SET LOCAL plan_cache_mode = force_generic_plan");
    std::unordered_set<std::string> found;
    for (const auto& r : tx.exec_params(kProbe, o_.organization_id, hashes)) {
      found.insert(pqxx::binarystring(r[0]).str());
    }
    tx.exec("RESET plan_cache_mode");
    return found;
  }

  void copy_into_leads(pqxx::dbtransaction& tx, const std::vector<const Pending*>& rows) const {
    copy_rows(tx, "leads", detail::leads_columns(), rows, [&](std::string& out, const Pending& p) {
      detail::append_leads_row(out, o_.organization_id, p.lead, p.body, cipher_.key_id());
    });
  }

  /// Today's general path: COPY into the staging table, then one INSERT ...
  /// SELECT ... ON CONFLICT into leads that decides each row.
  Outcome upsert(pqxx::dbtransaction& tx, const std::vector<const Pending*>& rows) const {
    tx.exec("TRUNCATE " + staging_);
    copy_rows(tx, staging_, detail::staging_columns(), rows, [](std::string& out, const Pending& p) {
      detail::append_staging_row(out, p.lines.front(), p.lead, p.body);
    });
    const std::string sql = std::string(kInsertFromStaging) + staging_ + " ORDER BY line " +
                            (o_.on_duplicate == OnDuplicate::update ? kOnConflictUpdate : kOnConflictNothing);
    Outcome out;
    for (const auto& r : tx.exec_params(sql, o_.organization_id, cipher_.key_id())) {
      out[pqxx::binarystring(r[0]).str()] = {true, r[1].as<bool>()};
    }
    return out;
  }

  template <class AppendRow>
  static void copy_rows(pqxx::dbtransaction& tx, const std::string& table, const std::vector<std::string>& columns,
                        const std::vector<const Pending*>& rows, AppendRow append_row) {
    // Rows go out ~64 KiB at a time, not one libpq call per row.
    db::BinaryCopyIn copy(tx, table, columns);
    std::string chunk;
    chunk.reserve(kCopyChunk + 1024);
    for (const auto* p : rows) {
      append_row(chunk, *p);
      if (chunk.size() >= kCopyChunk) {
        copy.write(chunk);
        chunk.clear();
      }
    }
    copy.write(chunk);
    copy.finish();
  }

  void encrypt(std::vector<Pending>& rows) const {
    auto work = [&](std::size_t from, std::size_t to) {
      for (std::size_t i = from; i < to; ++i) {
        auto& p = rows[i];
        auto enc = cipher_.encrypt(p.lead);
        p.body = detail::copy_body(p.lead, enc);
        p.hash = std::move(enc.email_hash);
      }
    };
    const std::size_t threads = std::max<std::size_t>(1, std::min<std::size_t>(o_.encrypt_threads, rows.size() / 256 + 1));
    const std::size_t chunk = (rows.size() + threads - 1) / threads;
    std::vector<std::future<void>> helpers;
    for (std::size_t t = 1; t < threads; ++t) {
      const auto from = std::min(rows.size(), t * chunk);
      const auto to = std::min(rows.size(), from + chunk);
      helpers.push_back(std::async(std::launch::async, work, from, to));
    }
    work(0, std::min(rows.size(), chunk));
    for (auto& h : helpers) h.get();
  }

  const LeadCipher& cipher_;
  const ImportOptions& o_;
  std::string key_;
  std::string staging_;
  // Touched only by the writer (one batch at a time).
  mutable bool probing_;
  mutable std::uint64_t fallbacks_ = 0;
};

/// Holds pg_advisory_lock on the import key for the session: two processes
/// running the same import would both resume from one checkpoint. It waits
/// a little: the server releases a killed client's lock only when its
/// backend notices (after the statement it was running), and a rerun right
/// after a kill must not be refused for that.
class ImportLock {
 public:
  ImportLock(pqxx::connection& c, const std::string& key_hex) : c_(c), id_(lock_id(key_hex)) {
    pqxx::nontransaction tx(c_);
    tx.exec("SELECT set_config('lock_timeout', '30s', false)");
    try {
      tx.exec_params("SELECT pg_advisory_lock($1)", id_);
    } catch (const pqxx::sql_error& e) {
      if (std::string(e.sqlstate()) != "55P03") throw;
      tx.exec("RESET lock_timeout");
      throw Conflict("this import (same input, organization and options) is running in another process");
    }
    tx.exec("RESET lock_timeout");
  }
  ~ImportLock() {
    try {
      pqxx::nontransaction tx(c_);
      tx.exec_params("SELECT pg_advisory_unlock($1)", id_);
    } catch (...) {
      // A broken connection released it already.
    }
  }
  ImportLock(const ImportLock&) = delete;
  ImportLock& operator=(const ImportLock&) = delete;

 private:
  static long long lock_id(const std::string& key_hex) {
    const auto raw = detail::from_hex(key_hex.substr(0, 16));
    unsigned long long v = 0;
    for (unsigned char ch : raw) v = (v << 8) | ch;
    return static_cast<long long>(v);
  }
  pqxx::connection& c_;
  long long id_;
};

struct Checkpoint {
  bool exists = false;
  bool done = false;
  std::size_t last_line = 0;
  Counts counts;
};

Checkpoint read_checkpoint(pqxx::connection& c, const std::string& key) {
  pqxx::nontransaction tx(c);
  const auto rows = tx.exec_params(
      "SELECT state, last_line, records, created, updated, skipped, failed FROM lead_imports "
      "WHERE import_key = decode($1, 'hex')",
      key);
  Checkpoint cp;
  if (rows.empty()) return cp;
  const auto& r = rows[0];
  cp.exists = true;
  cp.done = r[0].as<std::string>() == "done";
  cp.last_line = r[1].as<std::size_t>();
  cp.counts = {r[2].as<std::uint64_t>(), r[3].as<std::uint64_t>(), r[4].as<std::uint64_t>(),
               r[5].as<std::uint64_t>(), r[6].as<std::uint64_t>()};
  return cp;
}

std::vector<RowError> stored_errors(pqxx::connection& c, const std::string& key) {
  pqxx::nontransaction tx(c);
  std::vector<RowError> out;
  for (const auto& r : tx.exec_params("SELECT line, code, message FROM lead_import_errors "
                                      "WHERE import_key = decode($1, 'hex') ORDER BY line",
                                      key)) {
    RowError e;
    e.line = r[0].as<std::size_t>();
    e.column = "email";
    e.code = r[1].as<std::string>();
    e.message = r[2].as<std::string>();
    out.push_back(std::move(e));
  }
  return out;
}

ImportSummary summary_of(const Counts& c, const ImportOptions& o, const std::string& key) {
  ImportSummary s;
  s.records = c.records;
  s.created = c.created;
  s.updated = c.updated;
  s.skipped = c.skipped;
  s.failed = c.failed;
  s.dry_run = o.dry_run;
  s.import_key = key;
  return s;
}

void validate(const ImportOptions& o) {
  if (o.organization_id <= 0) throw ValidationError("org", "must be a positive organization id");
  if (o.batch_size == 0 || o.batch_size > 100000) throw ValidationError("batch-size", "must be 1-100000");
  if (o.encrypt_threads == 0 || o.encrypt_threads > 16) throw ValidationError("threads", "must be 1-16");
}

}  // namespace

std::string_view to_string(OnDuplicate d) noexcept {
  switch (d) {
    case OnDuplicate::update: return "update";
    case OnDuplicate::error: return "error";
    case OnDuplicate::skip: break;
  }
  return "skip";
}

std::optional<OnDuplicate> on_duplicate_from_string(std::string_view s) noexcept {
  if (s == "skip") return OnDuplicate::skip;
  if (s == "update") return OnDuplicate::update;
  if (s == "error") return OnDuplicate::error;
  return std::nullopt;
}

ImportSummary LeadImporter::run(LeadSource& source, RowErrorSink& errors, const ImportOptions& o) {
  validate(o);
  const std::string key = o.content_digest && !o.dry_run ? import_key_of(o) : std::string();
  auto lease = crm_.acquire();
  pqxx::connection& conn = *lease;
  try {
    const LeadCipher cipher(keys_, load_index_key(conn, keys_));
    std::optional<ImportLock> lock;
    Checkpoint cp;
    if (!key.empty()) {
      lock.emplace(conn, key);
      cp = read_checkpoint(conn, key);
      if (cp.exists && cp.done && !o.force_rerun) {
        auto s = summary_of(cp.counts, o, key);
        s.already_done = true;
        return s;
      }
      pqxx::work tx(conn);
      if (cp.exists && cp.done) {
        tx.exec_params("DELETE FROM lead_imports WHERE import_key = decode($1, 'hex')", key);
        cp = Checkpoint{};
      }
      tx.exec_params(
          "INSERT INTO lead_imports (import_key, organization_id, on_duplicate, state) "
          "VALUES (decode($1, 'hex'), $2, $3, 'running') "
          "ON CONFLICT (import_key) DO UPDATE SET runs = lead_imports.runs + 1, updated_at = now()",
          key, o.organization_id, std::string(to_string(o.on_duplicate)));
      tx.commit();
    }
    bool org_has_leads = false;
    {
      pqxx::nontransaction tx(conn);
      org_has_leads = tx.exec_params1(kOrgHasLeads, o.organization_id)[0].as<bool>();
    }
    Pipeline pipeline(cipher, o, key, org_has_leads);
    {
      pqxx::nontransaction tx(conn);
      tx.exec(create_staging(pipeline.staging()));
    }

    Counts total = cp.counts;
    ImportProgress progress;
    auto report = [&](std::uint64_t records) {
      if (!o.on_progress) return;
      progress.records = records;
      progress.bytes_read = source.bytes_read();
      progress.created = total.created;
      progress.updated = total.updated;
      progress.skipped = total.skipped;
      progress.failed = total.failed;
      o.on_progress(progress);
    };

    // A resumed run re-reads the committed prefix only to reproduce its
    // error report: source errors come again from the reader, errors that
    // depended on the database come from lead_import_errors.
    ReadRecord record;
    bool have_record = false;
    std::uint64_t read = 0;
    if (cp.exists && cp.last_line > 0) {
      const auto saved = stored_errors(conn, key);
      std::size_t next_saved = 0;
      while (source.next(record)) {
        if (record.line > cp.last_line) {
          have_record = true;
          break;
        }
        ++read;
        while (next_saved < saved.size() && saved[next_saved].line < record.line) errors.add(saved[next_saved++]);
        for (const auto& e : record.errors) errors.add(e);
      }
      while (next_saved < saved.size()) errors.add(saved[next_saved++]);
      report(read);
    }

    std::optional<pqxx::work> dry_tx;
    if (o.dry_run) {
      dry_tx.emplace(conn);
      dry_tx->exec("SET LOCAL statement_timeout = 0");
    }
    // The writer commits batch k while this thread reads and encrypts k+1.
    std::future<Written> in_flight;
    auto finish_in_flight = [&] {
      if (!in_flight.valid()) return;
      auto w = in_flight.get();
      total.records += w.delta.records;
      total.created += w.delta.created;
      total.updated += w.delta.updated;
      total.skipped += w.delta.skipped;
      total.failed += w.delta.failed;
      for (const auto& e : w.errors) errors.add(e);
      report(total.records);
    };
    auto submit = [&](std::shared_ptr<Batch> b) {
      const Counts before = total;
      in_flight = std::async(std::launch::async, [&, b, before]() -> Written {
        if (dry_tx) return pipeline.write(*dry_tx, *b, before);
        pqxx::work tx(conn);
        tx.exec("SET LOCAL statement_timeout = '10min'");
        auto w = pipeline.write(tx, *b, before);
        tx.commit();
        return w;
      });
    };

    std::vector<ReadRecord> records;
    records.reserve(o.batch_size);
    bool more = true;
    try {
      while (more) {
        records.clear();
        auto batch = std::make_shared<Batch>();
        if (have_record) {
          records.push_back(std::move(record));
          have_record = false;
        }
        while (records.size() < o.batch_size) {
          ReadRecord r;
          if (!source.next(r)) {
            more = false;
            break;
          }
          records.push_back(std::move(r));
        }
        if (records.empty()) break;
        for (auto& r : records) {
          ++batch->records;
          batch->last_line = r.line;
          if (!r.lead) {
            ++batch->source_failed;
            for (auto& e : r.errors) batch->errors.push_back(std::move(e));
          }
        }
        pipeline.prepare(*batch, records);
        finish_in_flight();  // batch k committed (and its errors reported) before k+1 starts
        submit(batch);
      }
      finish_in_flight();
    } catch (...) {
      // Let the writer end before the connection goes away; the file error
      // (or the writer's own) is what the caller sees.
      if (in_flight.valid()) {
        try {
          in_flight.get();
        } catch (...) {
        }
      }
      throw;
    }

    if (dry_tx) {
      dry_tx->abort();
    } else if (!key.empty()) {
      pqxx::work tx(conn);
      tx.exec_params(
          "UPDATE lead_imports SET state = 'done', finished_at = now(), updated_at = now() "
          "WHERE import_key = decode($1, 'hex')",
          key);
      tx.commit();
    }
    auto s = summary_of(total, o, key);
    s.resumed = cp.exists && cp.last_line > 0;
    s.resumed_after_line = cp.last_line;
    s.fallback_batches = pipeline.fallbacks();
    return s;
  } catch (const ImportFileError&) {
    throw;
  } catch (const Error&) {
    throw;
  } catch (...) {
    lease.discard();
    db::rethrow_translated();
  }
}

}  // namespace promptsales::crm
