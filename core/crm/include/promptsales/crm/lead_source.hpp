#pragma once
/// The seam between reading leads (CSV, JSONL, capture bodies) and storing
/// them (the import pipeline). Readers implement LeadSource; the pipeline
/// consumes it without knowing the format.

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "promptsales/crm/lead.hpp"

namespace promptsales::crm {

/// Limits every import enforces (the numbers).
inline constexpr std::size_t kMaxImportRows = 1'048'576;            ///< data records, header excluded
inline constexpr std::uint64_t kMaxImportBytes = 512ull << 20;      ///< 512 MiB per file
inline constexpr std::size_t kMaxRecordBytes = 1u << 20;            ///< 1 MiB per record

/// One record read from the input: either a validated lead or the reasons it
/// was rejected (never both). `line` is the 1-based physical line where the
/// record starts; records come in increasing `line` order, which is what
/// lets an interrupted import skip what it already committed.
struct ReadRecord {
  std::size_t line = 0;
  std::optional<LeadInput> lead;
  std::vector<RowError> errors;
};

/// A whole-file problem (not UTF-8, over the limits, no email column, empty
/// file, unreadable): the import is refused and nothing is written.
/// `error.line` is 0, or the line where the problem was found.
class ImportFileError : public std::runtime_error {
 public:
  explicit ImportFileError(RowError error)
      : std::runtime_error(error.message), error_(std::move(error)) {}
  const RowError& error() const noexcept { return error_; }

 private:
  RowError error_;
};

class LeadSource {
 public:
  virtual ~LeadSource() = default;
  /// Fills `out` with the next record; false at the end of the input.
  /// Throws ImportFileError for whole-file problems.
  virtual bool next(ReadRecord& out) = 0;
  /// Bytes consumed so far (for progress).
  virtual std::uint64_t bytes_read() const noexcept = 0;
};

}  // namespace promptsales::crm
