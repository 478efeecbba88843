#include "promptsales/crm/lead_importer.hpp"

#include <openssl/sha.h>

#include <algorithm>
#include <atomic>
#include <future>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include <pqxx/pqxx>

#include "copy_line.hpp"
#include "hex.hpp"
#include "import_checkpoint.hpp"
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

constexpr std::size_t kCopyChunk = 64 * 1024;

using Counts = detail::ImportCounts;

/// One email of a batch: the lead to stage and every line it occurs on.
struct Pending {
  LeadInput lead;
  std::string hash;  ///< the email's blind index (set by encrypt)
  std::vector<std::size_t> lines;
  std::string body;  ///< copy_body: the COPY columns both paths share
};

using PartRows = std::vector<const Pending*>;

struct Batch {
  std::vector<Pending> rows;
  std::vector<PartRows> parts;   ///< rows split by email hash, without lines a part committed before
  std::vector<RowError> errors;  ///< source errors; duplicate errors are added when written
  Counts counted;                ///< records and reader rejections not counted by an earlier run
  std::size_t last_line = 0;
};

struct Written {
  Counts delta;
  std::vector<RowError> errors;  ///< the part's errors that depend on the database
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
  Pipeline(const LeadCipher& cipher, const ImportOptions& o, std::string import_key, unsigned parts,
           bool org_has_leads)
      : cipher_(cipher),
        o_(o),
        key_(std::move(import_key)),
        parts_(parts),
        staging_(o.on_duplicate == OnDuplicate::update ? "lead_staging_keyed" : "lead_staging"),
        probing_(org_has_leads) {}

  const std::string& staging() const noexcept { return staging_; }

  /// Dedupes and merges within the batch, encrypts on the pool, then splits
  /// the rows into parts by email hash. `committed[p]`: part p's lines up to
  /// there were written by an earlier run, so they are left out (a row
  /// whose every line was is not written again).
  void prepare(Batch& b, std::vector<ReadRecord>& records, const std::vector<std::size_t>& committed) const {
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
    b.parts.assign(parts_, {});
    for (auto& p : b.rows) {
      const unsigned part = static_cast<unsigned char>(p.hash.front()) % parts_;
      // Lines increase, so the committed ones are a prefix. What is left of
      // a row in update mode is the merge of all its lines: applied to the
      // stored row (the merge of the committed ones) it gives the same lead.
      auto& lines = p.lines;
      lines.erase(lines.begin(), std::upper_bound(lines.begin(), lines.end(), committed[part]));
      if (!lines.empty()) b.parts[part].push_back(&p);
    }
  }

  /// Writes part `part` of a batch in `tx` (the caller commits, or in a dry
  /// run never does). `before`: the part's counts so far.
  Written write(pqxx::dbtransaction& tx, const Batch& b, unsigned part, const Counts& before) const {
    const auto& rows = b.parts[part];
    Written w;
    if (part == 0) {
      w.delta.records = b.counted.records;
      w.delta.failed = b.counted.failed;
    }
    const Outcome outcome = rows.empty() ? Outcome{} : write_rows(tx, rows);
    for (const auto* p : rows) {
      const auto found = outcome.find(p->hash);
      const bool returned = found != outcome.end();
      const bool inserted = returned && found->second.second;
      const auto m = p->lines.size();
      switch (o_.on_duplicate) {
        case OnDuplicate::skip:
          w.delta.created += inserted ? 1 : 0;
          w.delta.skipped += inserted ? m - 1 : m;
          break;
        case OnDuplicate::update:
          if (!returned) {
            w.delta.failed += m;
            for (auto line : p->lines) w.errors.push_back(not_updatable_error(line));
          } else {
            w.delta.created += inserted ? 1 : 0;
            w.delta.updated += inserted ? m - 1 : m;
          }
          break;
        case OnDuplicate::error:
          w.delta.created += inserted ? 1 : 0;
          w.delta.failed += inserted ? m - 1 : m;
          for (std::size_t i = inserted ? 1 : 0; i < m; ++i) {
            w.errors.push_back(duplicate_error(p->lines[i], o_.organization_id,
                                               i > 0 ? std::optional<std::size_t>(p->lines[0]) : std::nullopt));
          }
          break;
      }
    }
    if (!key_.empty()) {
      // Kept for a resumed run: these depended on the database.
      detail::save_errors(tx, key_, w.errors);
      Counts after = before;
      after += w.delta;
      detail::save_part(tx, key_, part, b.last_line, after);
    }
    return w;
  }

  /// Parts written again through ON CONFLICT after their COPY hit the
  /// unique constraint.
  std::uint64_t fallbacks() const noexcept { return fallbacks_.load(); }

 private:
  /// Per email hash written or matched: (returned, inserted), as RETURNING
  /// email_hash, (xmax = 0) reports it; an absent hash was left alone.
  using Outcome = std::unordered_map<std::string, std::pair<bool, bool>>;

  /// The fast path: the new leads are COPYed straight into leads (no
  /// staging table, no speculative insertion). Which emails are new: once
  /// the organization has leads, one index probe per part finds the stored
  /// ones (in update mode those go through the ON CONFLICT DO UPDATE, which
  /// holds the update rules). Into an organization that had no leads when
  /// the import started, parts are COPYed without probing (a probe costs
  /// about what an insert does) until the first unique violation shows a
  /// repeat across batches; from then on every part probes.
  /// A unique violation rolls the part back to its savepoint and writes it
  /// again the safe way: all of it through ON CONFLICT. After a probe, that
  /// means another writer (lead capture, an API call) stored one of the
  /// emails between the probe and the COPY. Parts never conflict with each
  /// other: their emails are disjoint.
  Outcome write_rows(pqxx::dbtransaction& tx, const PartRows& rows) const {
    PartRows fresh, stored;
    if (probing_.load()) {
      const auto existing = probe(tx, rows);
      for (const auto* p : rows) (existing.count(p->hash) ? stored : fresh).push_back(p);
    } else {
      fresh = rows;
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
      probing_.store(true);
    }
    return upsert(tx, rows);
  }

  /// The hashes of `rows` that the organization already has.
  std::unordered_set<std::string> probe(pqxx::transaction_base& tx, const PartRows& rows) const {
    // In index order, so that consecutive lookups share its pages.
    std::vector<const std::string*> sorted;
    sorted.reserve(rows.size());
    for (const auto* p : rows) sorted.push_back(&p->hash);
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

  void copy_into_leads(pqxx::dbtransaction& tx, const PartRows& rows) const {
    copy_rows(tx, "leads", detail::leads_columns(), rows, [&](std::string& out, const Pending& p) {
      detail::append_leads_row(out, o_.organization_id, p.lead, p.body, cipher_.key_id());
    });
  }

  /// The general path: COPY into the staging table, then one INSERT ...
  /// SELECT ... ON CONFLICT into leads that decides each row.
  Outcome upsert(pqxx::dbtransaction& tx, const PartRows& rows) const {
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
                        const PartRows& rows, AppendRow append_row) {
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
  unsigned parts_;
  std::string staging_;
  // Shared by the part writers of a batch.
  mutable std::atomic<bool> probing_;
  mutable std::atomic<std::uint64_t> fallbacks_{0};
};

/// The writers of one batch: one thread per part, each on its connection
/// and in its own transaction (or all in the dry run's one).
class BatchWriters {
 public:
  BatchWriters(const Pipeline& pipeline, const ImportOptions& o, std::vector<pqxx::connection*> conns,
               pqxx::dbtransaction* dry_tx)
      : pipeline_(pipeline), o_(o), conns_(std::move(conns)), dry_tx_(dry_tx) {}

  ~BatchWriters() { wait_quietly(); }

  /// Starts writing `b`; `before[p]`: part p's counts so far.
  void start(std::shared_ptr<Batch> b, const std::vector<Counts>& before) {
    batch_ = std::move(b);
    for (unsigned part = 0; part < conns_.size(); ++part) {
      running_.push_back(std::async(std::launch::async, [this, part, c = before[part]]() -> Written {
        if (dry_tx_) return pipeline_.write(*dry_tx_, *batch_, part, c);
        pqxx::work tx(*conns_[part]);
        tx.exec("SET LOCAL statement_timeout = '10min'");
        auto w = pipeline_.write(tx, *batch_, part, c);
        if (o_.before_part_commit) o_.before_part_commit(batch_->last_line, part);
        tx.commit();
        return w;
      }));
    }
  }

  bool busy() const noexcept { return !running_.empty(); }

  /// Waits for every part; rethrows the first failure once all have ended
  /// (a part that committed stays committed: its checkpoint says so).
  /// Returns each part's result and the batch's source errors.
  std::vector<Written> finish(std::vector<RowError>& source_errors) {
    std::vector<Written> out;
    std::exception_ptr failed;
    for (auto& f : running_) {
      try {
        out.push_back(f.get());
      } catch (...) {
        if (!failed) failed = std::current_exception();
      }
    }
    running_.clear();
    if (failed) std::rethrow_exception(failed);
    source_errors = std::move(batch_->errors);
    batch_.reset();
    return out;
  }

  void wait_quietly() noexcept {
    for (auto& f : running_) {
      try {
        if (f.valid()) f.get();
      } catch (...) {
      }
    }
    running_.clear();
  }

 private:
  const Pipeline& pipeline_;
  const ImportOptions& o_;
  std::vector<pqxx::connection*> conns_;
  pqxx::dbtransaction* dry_tx_;
  std::shared_ptr<Batch> batch_;
  std::vector<std::future<Written>> running_;
};

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
  if (o.writers == 0 || o.writers > kMaxImportWriters) {
    throw ValidationError("writers", "must be 1-" + std::to_string(kMaxImportWriters));
  }
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
  std::vector<db::Lease> helpers;  // the connections of parts 1..
  try {
    const LeadCipher cipher(keys_, load_index_key(conn, keys_));
    std::optional<detail::ImportLock> lock;
    detail::Checkpoint cp;
    cp.parts = o.dry_run ? 1 : o.writers;
    if (!key.empty()) {
      lock.emplace(conn, key);
      const auto found = detail::read_checkpoint(conn, key);
      if (found.exists && found.done && !o.force_rerun) {
        auto s = summary_of(found.total(), o, key);
        s.already_done = true;
        s.writers = found.parts;
        return s;
      }
      cp = detail::begin_import(conn, key, o, cp.parts, found.exists && found.done);
    }
    cp.last_line.resize(cp.parts, 0);
    cp.counts.resize(cp.parts);
    const unsigned parts = cp.parts;

    std::vector<pqxx::connection*> conns{&conn};
    for (unsigned p = 1; p < parts; ++p) {
      helpers.push_back(crm_.acquire());
      conns.push_back(&*helpers.back());
    }
    bool org_has_leads = false;
    {
      pqxx::nontransaction tx(conn);
      org_has_leads = tx.exec_params1(kOrgHasLeads, o.organization_id)[0].as<bool>();
    }
    Pipeline pipeline(cipher, o, key, parts, org_has_leads);
    for (auto* c : conns) {
      pqxx::nontransaction tx(*c);
      tx.exec(create_staging(pipeline.staging()));
    }

    std::vector<Counts> part_totals = cp.counts;
    Counts total = cp.total();
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
    // depended on the database come from lead_import_errors. Those of lines
    // that only some parts committed join the batch that holds the lines.
    const std::size_t through = cp.committed_through();
    std::vector<RowError> saved;
    std::size_t next_saved = 0;
    ReadRecord record;
    bool have_record = false;
    if (cp.reached() > 0) {
      saved = detail::saved_errors(conn, key);
      std::uint64_t read = 0;
      while (source.next(record)) {
        if (record.line > through) {
          have_record = true;
          break;
        }
        ++read;
        while (next_saved < saved.size() && saved[next_saved].line < record.line) errors.add(saved[next_saved++]);
        for (const auto& e : record.errors) errors.add(e);
      }
      while (next_saved < saved.size() && saved[next_saved].line <= through) errors.add(saved[next_saved++]);
      report(read);
    }

    std::optional<pqxx::work> dry_tx;
    if (o.dry_run) {
      dry_tx.emplace(conn);
      dry_tx->exec("SET LOCAL statement_timeout = 0");
    }
    // The writers commit batch k while this thread reads and encrypts k+1.
    BatchWriters writers(pipeline, o, conns, dry_tx ? &*dry_tx : nullptr);
    auto finish_in_flight = [&] {
      if (!writers.busy()) return;
      std::vector<RowError> batch_errors;
      auto written = writers.finish(batch_errors);
      for (unsigned p = 0; p < written.size(); ++p) {
        part_totals[p] += written[p].delta;
        total += written[p].delta;
        batch_errors.insert(batch_errors.end(), written[p].errors.begin(), written[p].errors.end());
      }
      std::stable_sort(batch_errors.begin(), batch_errors.end(),
                       [](const RowError& a, const RowError& b) { return a.line < b.line; });
      for (const auto& e : batch_errors) errors.add(e);
      report(total.records);
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
          batch->last_line = r.line;
          if (r.line > cp.last_line[0]) {  // part 0 counts records
            ++batch->counted.records;
            if (!r.lead) ++batch->counted.failed;
          }
          if (!r.lead) {
            for (auto& e : r.errors) batch->errors.push_back(std::move(e));
          }
        }
        while (next_saved < saved.size() && saved[next_saved].line <= batch->last_line) {
          batch->errors.push_back(saved[next_saved++]);
        }
        pipeline.prepare(*batch, records, cp.last_line);
        finish_in_flight();  // batch k committed (and its errors reported) before k+1 starts
        writers.start(std::move(batch), part_totals);
      }
      finish_in_flight();
    } catch (...) {
      // Let the writers end before the connections go away; the file error
      // (or a writer's own) is what the caller sees.
      writers.wait_quietly();
      throw;
    }
    while (next_saved < saved.size()) errors.add(saved[next_saved++]);

    if (dry_tx) {
      dry_tx->abort();
    } else if (!key.empty()) {
      detail::finish_import(conn, key, total);
    }
    auto s = summary_of(total, o, key);
    s.resumed = cp.reached() > 0;
    s.resumed_after_line = through;
    s.fallback_batches = pipeline.fallbacks();
    s.writers = parts;
    return s;
  } catch (const ImportFileError&) {
    throw;
  } catch (const Error&) {
    throw;
  } catch (...) {
    lease.discard();
    for (auto& h : helpers) h.discard();
    db::rethrow_translated();
  }
}

}  // namespace promptsales::crm
