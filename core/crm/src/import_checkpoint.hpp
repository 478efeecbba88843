#pragma once
// The lead import's checkpoint (lead_imports, lead_import_parts,
// lead_import_errors: sql/crm/0005_lead_import_parts.sql) and the advisory
// lock that keeps two processes off one import. Internal to the importer.
#include <cstdint>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "promptsales/crm/lead_importer.hpp"
#include "promptsales/crm/row_error_sink.hpp"

namespace promptsales::crm::detail {

struct ImportCounts {
  std::uint64_t records = 0, created = 0, updated = 0, skipped = 0, failed = 0;

  ImportCounts& operator+=(const ImportCounts& o) noexcept {
    records += o.records;
    created += o.created;
    updated += o.updated;
    skipped += o.skipped;
    failed += o.failed;
    return *this;
  }
};

/// What earlier runs of one import committed.
struct Checkpoint {
  bool exists = false;
  bool done = false;
  unsigned parts = 1;
  /// Per part: every record of that part up to this line is committed.
  std::vector<std::size_t> last_line;
  /// Per part, cumulative (part 0 also holds records and reader rejections).
  std::vector<ImportCounts> counts;

  ImportCounts total() const noexcept;
  /// Lines up to here are committed for every part.
  std::size_t committed_through() const noexcept;
  /// Some part committed lines up to here.
  std::size_t reached() const noexcept;
};

/// Holds pg_advisory_lock on the import key for the session: two processes
/// running the same import would both resume from one checkpoint. It waits
/// a little: the server releases a killed client's lock only when its
/// backend notices (after the statement it was running), and a rerun right
/// after a kill must not be refused for that.
class ImportLock {
 public:
  ImportLock(pqxx::connection& c, const std::string& key_hex);
  ~ImportLock();
  ImportLock(const ImportLock&) = delete;
  ImportLock& operator=(const ImportLock&) = delete;

 private:
  pqxx::connection& c_;
  long long id_;
};

Checkpoint read_checkpoint(pqxx::connection& c, const std::string& key_hex);

/// Records a run of the import (`--force-rerun` of a finished one first
/// deletes it). Returns the checkpoint the run continues from; a new import
/// is split into `parts`, a resumed one keeps the split it began with.
Checkpoint begin_import(pqxx::connection& c, const std::string& key_hex, const ImportOptions& o, unsigned parts,
                        bool restart);

/// In the part's transaction, with its leads: `counts` are cumulative.
void save_part(pqxx::transaction_base& tx, const std::string& key_hex, unsigned part, std::size_t last_line,
               const ImportCounts& counts);

/// Duplicate rejections that depended on the database, for the error report
/// of a resumed run. They name the line only.
void save_errors(pqxx::transaction_base& tx, const std::string& key_hex, const std::vector<RowError>& errors);
std::vector<RowError> saved_errors(pqxx::connection& c, const std::string& key_hex);

void finish_import(pqxx::connection& c, const std::string& key_hex, const ImportCounts& total);

}  // namespace promptsales::crm::detail
