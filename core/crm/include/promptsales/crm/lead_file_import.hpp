#pragma once
/// Importing a lead file end to end: the size cap, the pre-pass that refuses
/// a bad file before anything is written, the content digest that lets a
/// rerun resume, and the import itself. Shared by `lead import` (the CLI,
/// in the foreground) and the `lead-import` job (queued with
/// `lead import --queue`), so both refuse, resume and count alike.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "promptsales/common/crypto/data_key.hpp"
#include "promptsales/crm/lead_importer.hpp"
#include "promptsales/crm/lead_readers.hpp"

namespace promptsales::db {
class Pool;
}

namespace promptsales::crm {

class RowErrorSink;

struct LeadFileImport {
  std::string path;  ///< a regular file, or a spooled input's path
  LeadFileFormat format = LeadFileFormat::automatic;
  LeadReadOptions read;
  /// organization, duplicates, batching, dry run, progress. The content
  /// digest and reader fingerprint are filled in from the file and `read`.
  ImportOptions import;
  /// Hex SHA-256 the file must still have (a queued import checks that the
  /// file did not change between `lead import --queue` and the worker).
  std::optional<std::string> expected_sha256_hex;
};

/// What the pre-pass found, and the file's digest.
struct CheckedLeadFile {
  FileCheck check;
  std::string sha256;  ///< raw 32 bytes
  std::string sha256_hex;
  std::uint64_t bytes = 0;
};

/// SHA-256 of a file's bytes (raw). ValidationError("FILE") if unreadable.
std::string file_sha256(const std::string& path);

/// The options that change which leads a file yields, as one string: part
/// of the import key, so a rerun with another --map is another import.
std::string reader_fingerprint(LeadFileFormat format, const LeadReadOptions& read);

/// Size cap, pre-pass, digest (and the expected digest, if any). Throws
/// ImportFileError for whole-file problems, ValidationError for options and
/// for a file that changed since it was queued.
CheckedLeadFile check_lead_file(const LeadFileImport& request);

/// The import of a file check_lead_file accepted. Row problems go to
/// `errors`; a whole-file problem found on the way (a broken record past
/// the pre-pass's reach) throws ImportFileError.
ImportSummary import_lead_file(db::Pool& crm, crypto::Keyring keys, LeadFileImport request,
                               const CheckedLeadFile& checked, RowErrorSink& errors);

/// Standard input copied into an anonymous temporary file (created 0600
/// and unlinked at once, so nothing is left behind whatever happens), so
/// stdin gets what a file gets: the pre-pass and the resume by digest.
/// Refuses input over kMaxImportBytes.
class SpooledInput {
 public:
  explicit SpooledInput(int fd);
  ~SpooledInput();
  SpooledInput(const SpooledInput&) = delete;
  SpooledInput& operator=(const SpooledInput&) = delete;
  /// A path that reopens the spooled copy (/proc/self/fd/N).
  const std::string& path() const noexcept { return path_; }

 private:
  int fd_ = -1;
  std::string path_;
};

}  // namespace promptsales::crm
