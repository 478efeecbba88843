#pragma once
/// The import pipeline: reads a LeadSource in batches, encrypts on a few
/// threads, splits each batch by email hash into `writers` disjoint parts
/// and writes the parts at once, each on its own connection, in one
/// transaction with that part's checkpoint: an index probe finds the emails
/// the organization already has (skipped while importing into an
/// organization that had no leads, until a batch meets a repeat), the new
/// leads are COPYed straight into `leads`, stored ones (update mode) go
/// through INSERT ... ON CONFLICT DO UPDATE from a staging table, and a part
/// whose COPY meets the unique constraint (a concurrent writer, or an
/// unprobed repeat) is redone entirely through ON CONFLICT. The next batch
/// starts when every part of this one has committed, so file order decides
/// duplicates across batches. Guarantees (README "Leads"):
///  - nothing doubled: UNIQUE (organization_id, email_hash) decides
///    duplicates, within the file and against the database alike;
///  - nothing lost: a part and its checkpoint commit together, so an import
///    killed at any point (even between two parts of a batch) and run again
///    with the same input and options resumes each part after its last
///    committed record and ends with the same rows and the same summary as
///    one clean run;
///  - a finished import run again changes nothing and reports the stored
///    summary (already_done), unless force_rerun.
/// Memory is bounded by a few batches: no per-row state is kept across
/// batches (the database constraint does the cross-batch deduplication).

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "promptsales/common/crypto/data_key.hpp"
#include "promptsales/crm/lead_source.hpp"
#include "promptsales/crm/row_error_sink.hpp"

namespace promptsales::db {
class Pool;
}

namespace promptsales::crm {

/// What to do with a lead whose email the organization already has (in the
/// database or earlier in the same file).
enum class OnDuplicate {
  skip,    ///< keep the stored lead; the first occurrence in a file wins
  update,  ///< overwrite with the given fields; the last occurrence wins
  error    ///< reject the row (code duplicate_email); the first occurrence wins
};
std::string_view to_string(OnDuplicate d) noexcept;
std::optional<OnDuplicate> on_duplicate_from_string(std::string_view s) noexcept;

/// Most connections one import writes on (ImportOptions::writers).
inline constexpr unsigned kMaxImportWriters = 8;

struct ImportProgress {
  std::uint64_t records = 0;     ///< read so far (including a resumed run's skipped prefix)
  std::uint64_t bytes_read = 0;
  std::uint64_t created = 0, updated = 0, skipped = 0, failed = 0;
};

struct ImportOptions {
  std::int64_t organization_id = 0;
  OnDuplicate on_duplicate = OnDuplicate::skip;
  /// Validate and count (duplicates against the database too) in one
  /// transaction that is rolled back: nothing is written.
  bool dry_run = false;
  std::size_t batch_size = 5000;  ///< records per transaction (1..100000)
  /// SHA-256 of the input's bytes (raw or hex). With it the import keeps a
  /// checkpoint and can resume; without it (the generator) every run starts over
  /// (still without doubling: the constraint decides).
  std::optional<std::string> content_digest;
  /// Reader options that change which leads the input yields (column map,
  /// default country, format): part of the import key, so a rerun with other
  /// options is another import.
  std::string reader_fingerprint;
  /// Run a finished import again (dedup against the database still applies).
  bool force_rerun = false;
  unsigned encrypt_threads = 2;  ///< threads encrypting a batch (1..16)
  /// Connections writing each batch's parts at once (1..kMaxImportWriters).
  /// A resumed import keeps the split its first run chose (so the pool
  /// should allow kMaxImportWriters); a dry run uses one.
  unsigned writers = 2;
  /// Fault injection for tests: runs in each part's transaction just before
  /// it commits (batch's last line, part). Throwing aborts that part only:
  /// the batch's other parts still commit, as when a crash falls between
  /// two parts' commits.
  std::function<void(std::size_t, unsigned)> before_part_commit;
  std::function<void(const ImportProgress&)> on_progress;  ///< after each batch
};

struct ImportSummary {
  std::uint64_t records = 0;  ///< created + updated + skipped + failed
  std::uint64_t created = 0;
  std::uint64_t updated = 0;
  std::uint64_t skipped = 0;
  std::uint64_t failed = 0;
  bool dry_run = false;
  bool resumed = false;        ///< continued an interrupted run
  bool already_done = false;   ///< finished before: nothing read or written
  std::uint64_t resumed_after_line = 0;
  std::string import_key;      ///< hex; empty without a content digest
  /// Batch parts written again through ON CONFLICT because their COPY met the
  /// unique constraint: another writer stored one of their emails while the
  /// batch was written, or (before probing started) an email of an earlier
  /// batch came again. The outcome is the same either way.
  std::uint64_t fallback_batches = 0;
  /// Parts each batch was split into (connections written on): the
  /// requested writers, or for a resumed import its first run's.
  unsigned writers = 1;
};

class LeadImporter {
 public:
  /// `crm` is a pool on the CRM database: the import uses `writers` of its
  /// connections (one in a dry run), so it needs at least that many.
  LeadImporter(db::Pool& crm, crypto::Keyring keys) : crm_(crm), keys_(std::move(keys)) {}

  /// Runs the import. Row problems go to `errors` and are counted as
  /// failed; whole-file problems (ImportFileError from the source) stop the
  /// import: nothing of the current batch is written, earlier batches stay
  /// committed with their checkpoint (a corrected rerun is another import).
  /// Throws ValidationError for bad options.
  ImportSummary run(LeadSource& source, RowErrorSink& errors, const ImportOptions& options);

 private:
  db::Pool& crm_;
  crypto::Keyring keys_;
};

}  // namespace promptsales::crm
