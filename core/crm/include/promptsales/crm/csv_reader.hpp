#pragma once
/// A streaming RFC 4180 CSV reader for lead files.
///
/// Reads its input in chunks through a fixed window (max record + 2 chunks,
/// about 1.5 MiB), whatever the file size. Handles a UTF-8 byte order mark,
/// LF and CRLF line ends, quoted fields holding delimiters, doubled quotes
/// and line breaks, and detects the delimiter (',', ';' or TAB) from the
/// header line unless one is given.
///
/// Errors, and what happens next:
///  - bad quoting (a quote inside an unquoted field, text after a closing
///    quote): a record with `error` (code bad_quoting); reading resumes at
///    the next physical line;
///  - a quote still open at the end of the input: error unterminated_quote
///    for the record, then reading resumes at the line after the one where
///    that record started (so the rows the stray quote swallowed are read);
///  - a record longer than max_record_bytes: error record_too_large; the
///    record is skipped without being held in memory;
///  - invalid UTF-8 (or a NUL byte) anywhere, or more than max_bytes:
///    ImportFileError (codes not_utf8, too_large), whole-file.
/// A lone CR (classic Mac OS line end) is not a line end. Blank lines are
/// skipped.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "promptsales/crm/byte_input.hpp"
#include "promptsales/crm/lead_source.hpp"

namespace promptsales::crm {

namespace detail {
class InputBuffer;
}

struct CsvOptions {
  char delimiter = 0;  ///< 0: detect ',', ';' or TAB from the header line
  std::uint64_t max_bytes = kMaxImportBytes;
  std::size_t max_record_bytes = kMaxRecordBytes;
  std::size_t chunk_bytes = 256u << 10;
};

/// One record. `fields` point into the reader's buffer: valid until the
/// next call to next().
struct CsvRecord {
  std::size_t line = 0;  ///< 1-based physical line where the record starts
  std::vector<std::string_view> fields;
  std::optional<RowError> error;  ///< set (and fields empty) for a broken record
  std::size_t error_field = 0;    ///< 0-based field index where the error was found
};

class CsvReader {
 public:
  explicit CsvReader(std::unique_ptr<ByteInput> in, CsvOptions options = {});
  ~CsvReader();
  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;

  /// The next record (the header is the first); false at the end.
  bool next(CsvRecord& out);
  /// The delimiter in use (detected on first use when not given).
  char delimiter();
  std::uint64_t bytes_read() const noexcept;

 private:
  enum class State : std::uint8_t { field_start, unquoted, quoted, quote_in_quoted, after_quote, skip_line };
  enum class Outcome : std::uint8_t { record, blank, end };
  struct Span {
    std::uint32_t begin;  ///< relative to the record start
    std::uint32_t end;
    bool quoted;
    bool escaped;  ///< holds doubled quotes to collapse
  };

  void begin();
  Outcome scan_record();
  void push_span(std::size_t begin, std::size_t end, bool quoted, bool escaped);
  void fail(std::string code, std::string message);
  void mark_too_large();
  std::uint64_t record_bytes() const noexcept;  ///< from the record's start to pos_
  Outcome finish_at_eof();

  std::unique_ptr<detail::InputBuffer> buf_;
  CsvOptions options_;
  char delim_ = 0;
  bool started_ = false;
  bool done_ = false;
  std::size_t pos_ = 0;
  std::size_t rec_start_ = 0;      ///< buffer offset (stale while skipping)
  std::uint64_t rec_offset_ = 0;   ///< input offset of the record's start
  std::size_t line_ = 1;
  std::size_t rec_line_ = 1;
  State state_ = State::field_start;
  std::size_t field_begin_ = 0;
  std::size_t quote_end_ = 0;
  bool field_escaped_ = false;
  bool too_large_ = false;
  std::vector<Span> spans_;
  std::optional<RowError> error_;
  std::size_t error_field_ = 0;
  bool special_[256] = {};
};

}  // namespace promptsales::crm
