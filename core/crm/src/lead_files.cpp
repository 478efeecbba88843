// Opening lead files: format by extension or content, and the pre-pass.

#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "input_buffer.hpp"
#include "promptsales/common/errors.hpp"
#include "promptsales/crm/lead_readers.hpp"

namespace promptsales::crm {

namespace {

/// Serves a first block read ahead (to sniff the format), then the rest.
class PeekedInput final : public ByteInput {
 public:
  explicit PeekedInput(std::unique_ptr<ByteInput> in) : in_(std::move(in)) {
    head_.resize(4096);
    std::size_t got = 0;
    while (got < head_.size()) {
      const std::size_t k = in_->read(head_.data() + got, head_.size() - got);
      if (k == 0) break;
      got += k;
    }
    head_.resize(got);
  }
  std::string_view head() const noexcept { return head_; }
  std::size_t read(char* dst, std::size_t n) override {
    if (pos_ < head_.size()) {
      const std::size_t k = std::min(n, head_.size() - pos_);
      std::memcpy(dst, head_.data() + pos_, k);
      pos_ += k;
      return k;
    }
    return in_->read(dst, n);
  }

 private:
  std::unique_ptr<ByteInput> in_;
  std::string head_;
  std::size_t pos_ = 0;
};

bool ends_with(const std::string& s, std::string_view suffix) {
  if (s.size() < suffix.size()) return false;
  for (std::size_t i = 0; i < suffix.size(); ++i) {
    const char c = s[s.size() - suffix.size() + i];
    if (static_cast<char>(std::tolower(static_cast<unsigned char>(c))) != suffix[i]) return false;
  }
  return true;
}

std::optional<LeadFileFormat> format_by_extension(const std::string& path) {
  for (auto ext : {".csv", ".tsv", ".txt"})
    if (ends_with(path, ext)) return LeadFileFormat::csv;
  for (auto ext : {".jsonl", ".ndjson", ".json"})
    if (ends_with(path, ext)) return LeadFileFormat::jsonl;
  return std::nullopt;
}

LeadFileFormat format_by_content(std::string_view head) {
  if (head.substr(0, 3) == "\xEF\xBB\xBF") head.remove_prefix(3);
  for (char c : head) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    return c == '{' ? LeadFileFormat::jsonl : LeadFileFormat::csv;
  }
  return LeadFileFormat::csv;
}

struct Opened {
  std::unique_ptr<ByteInput> input;
  LeadFileFormat format;
};

Opened open_input(const std::string& path_or_dash, LeadFileFormat format) {
  std::unique_ptr<ByteInput> in = path_or_dash == "-" ? fd_input(STDIN_FILENO, false) : file_input(path_or_dash);
  if (format == LeadFileFormat::automatic && path_or_dash != "-") {
    if (auto f = format_by_extension(path_or_dash)) format = *f;
  }
  if (format == LeadFileFormat::automatic) {
    auto peeked = std::make_unique<PeekedInput>(std::move(in));
    format = format_by_content(peeked->head());
    in = std::move(peeked);
  }
  return {std::move(in), format};
}

}  // namespace

std::optional<LeadFileFormat> lead_file_format_from_string(std::string_view s) noexcept {
  if (s == "auto") return LeadFileFormat::automatic;
  if (s == "csv") return LeadFileFormat::csv;
  if (s == "jsonl") return LeadFileFormat::jsonl;
  return std::nullopt;
}

std::string_view to_string(LeadFileFormat f) noexcept {
  switch (f) {
    case LeadFileFormat::csv:
      return "csv";
    case LeadFileFormat::jsonl:
      return "jsonl";
    case LeadFileFormat::automatic:
      break;
  }
  return "auto";
}

std::unique_ptr<LeadSource> open_lead_source(const std::string& path_or_dash, LeadFileFormat format,
                                             const LeadReadOptions& options) {
  check_read_options(options);
  Opened o = open_input(path_or_dash, format);
  if (o.format == LeadFileFormat::jsonl) return std::make_unique<JsonlLeadSource>(std::move(o.input), options);
  return std::make_unique<CsvLeadSource>(std::move(o.input), options);
}

FileCheck scan_import_file(const std::string& path, LeadFileFormat format, const LeadReadOptions& options) {
  if (path == "-") {
    throw ValidationError("FILE", "the pre-check needs a file: standard input cannot be read twice");
  }
  check_read_options(options);
  Opened o = open_input(path, format);
  FileCheck check;
  check.format = o.format;
  if (o.format == LeadFileFormat::csv) {
    CsvOptions c;
    c.delimiter = options.delimiter;
    c.max_bytes = options.max_bytes;
    c.max_record_bytes = options.max_record_bytes;
    c.chunk_bytes = options.chunk_bytes;
    CsvReader reader(std::move(o.input), c);
    CsvRecord rec;
    if (!reader.next(rec)) {
      RowError e;
      e.code = "empty_file";
      e.message = "the file is empty: it needs a header line and rows";
      throw ImportFileError(std::move(e));
    }
    if (rec.error) {
      RowError e;
      e.line = rec.line;
      e.code = "bad_header";
      e.message = "the header line cannot be read: " + rec.error->message;
      throw ImportFileError(std::move(e));
    }
    for (std::string_view f : rec.fields) check.headers.emplace_back(detail::trim_blanks(f));
    const ColumnMapping m = map_columns(check.headers, parse_map_option(options.map));
    for (std::size_t i = 0; i < m.headers.size(); ++i)
      if (m.fields[i]) check.mapped.emplace_back(m.headers[i], std::string(to_string(*m.fields[i])));
    check.unmapped = m.unmapped;
    check.delimiter = reader.delimiter();
    while (reader.next(rec)) {
      if (++check.records > options.max_rows) {
        RowError e;
        e.line = rec.line;
        e.code = "too_many_rows";
        e.message = "the file has more than " + std::to_string(options.max_rows) +
                    " rows, the import limit; split it into smaller files";
        throw ImportFileError(std::move(e));
      }
    }
    check.bytes = reader.bytes_read();
    return check;
  }
  // JSONL: count non-blank lines; the JSON itself is checked per line later.
  detail::InputBuffer buf(std::move(o.input), options.max_bytes, options.max_record_bytes, options.chunk_bytes);
  bool grew = true;
  std::size_t pos = 0;
  bool blank = true;
  std::size_t line = 1;
  buf.refill(0, grew);
  pos = buf.start();
  while (grew) {
    const char* b = buf.data();
    for (; pos < buf.end(); ++pos) {
      const char c = b[pos];
      if (c == '\n') {
        if (!blank && ++check.records > options.max_rows) {
          RowError e;
          e.line = line;
          e.code = "too_many_rows";
          e.message = "the file has more than " + std::to_string(options.max_rows) +
                      " rows, the import limit; split it into smaller files";
          throw ImportFileError(std::move(e));
        }
        blank = true;
        ++line;
      } else if (c != ' ' && c != '\t' && c != '\r') {
        blank = false;
      }
    }
    pos -= buf.refill(pos, grew);
  }
  if (!blank) ++check.records;
  if (check.records == 0) {
    RowError e;
    e.code = "empty_file";
    e.message = "the file is empty: it needs one JSON object per line";
    throw ImportFileError(std::move(e));
  }
  if (check.records > options.max_rows) {
    RowError e;
    e.line = line;
    e.code = "too_many_rows";
    e.message = "the file has more than " + std::to_string(options.max_rows) +
                " rows, the import limit; split it into smaller files";
    throw ImportFileError(std::move(e));
  }
  check.bytes = buf.bytes_read();
  return check;
}

}  // namespace promptsales::crm
