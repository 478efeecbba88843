#include <string>

#include "promptsales/common/errors.hpp"
#include "promptsales/crm/csv_reader.hpp"
#include "promptsales/crm/lead_readers.hpp"
#include "text_util.hpp"

namespace promptsales::crm {

namespace {

[[noreturn]] void file_error(std::size_t line, std::string code, std::string message) {
  RowError e;
  e.line = line;
  e.code = std::move(code);
  e.message = std::move(message);
  throw ImportFileError(std::move(e));
}

CsvOptions csv_options(const LeadReadOptions& o) {
  CsvOptions c;
  c.delimiter = o.delimiter;
  c.max_bytes = o.max_bytes;
  c.max_record_bytes = o.max_record_bytes;
  c.chunk_bytes = o.chunk_bytes;
  return c;
}

}  // namespace

void check_read_options(const LeadReadOptions& options) {
  if (!options.default_country.empty() && !country_calling_code(options.default_country)) {
    throw ValidationError("--default-country",
                          "\"" + options.default_country +
                              "\" is not an ISO 3166-1 alpha-2 code with a known calling code (e.g. ES, MX, US)");
  }
  const char d = options.delimiter;
  if (d == '"' || d == '\n' || d == '\r' || (d != 0 && static_cast<unsigned char>(d) >= 0x80)) {
    throw ValidationError("--delimiter", "the delimiter must be one ASCII character other than a quote or a line end");
  }
  (void)parse_map_option(options.map);
}

CsvLeadSource::CsvLeadSource(std::unique_ptr<ByteInput> in, LeadReadOptions options)
    : reader_(std::make_unique<CsvReader>(std::move(in), csv_options(options))), options_(std::move(options)) {
  check_read_options(options_);
  overrides_ = parse_map_option(options_.map);
  validation_.default_country = options_.default_country;
  validation_.today = options_.today.empty() ? today_utc() : options_.today;
}

CsvLeadSource::~CsvLeadSource() = default;

std::uint64_t CsvLeadSource::bytes_read() const noexcept { return reader_->bytes_read(); }

char CsvLeadSource::delimiter() { return reader_->delimiter(); }

const ColumnMapping& CsvLeadSource::mapping() {
  if (!mapping_) read_header();
  return *mapping_;
}

void CsvLeadSource::read_header() {
  CsvRecord header;
  if (!reader_->next(header)) file_error(0, "empty_file", "the file is empty: it needs a header line and rows");
  if (header.error) {
    file_error(header.line, "bad_header", "the header line cannot be read: " + header.error->message);
  }
  std::vector<std::string> names;
  names.reserve(header.fields.size());
  for (std::string_view f : header.fields) names.emplace_back(detail::trim_blanks(f));
  mapping_ = map_columns(names, overrides_);
}

bool CsvLeadSource::next(ReadRecord& out) {
  if (!mapping_) read_header();
  const ColumnMapping& m = *mapping_;
  CsvRecord& rec = rec_;
  if (!reader_->next(rec)) return false;
  if (++rows_ > options_.max_rows) {
    file_error(rec.line, "too_many_rows", "the file has more than " + std::to_string(options_.max_rows) +
                                              " rows, the import limit; split it into smaller files");
  }
  out.line = rec.line;
  out.lead.reset();
  out.errors.clear();
  if (rec.error) {
    RowError e = std::move(*rec.error);
    if (rec.error_field < m.headers.size()) e.column = m.headers[rec.error_field];
    out.errors.push_back(std::move(e));
    return true;
  }
  std::size_t used = rec.fields.size();
  while (used > m.headers.size() && detail::trim_blanks(rec.fields[used - 1]).empty()) --used;  // trailing delimiters
  if (used != m.headers.size()) {
    RowError e;
    e.line = rec.line;
    e.code = "wrong_field_count";
    e.message = "the row has " + std::to_string(rec.fields.size()) + " fields but the header has " +
                std::to_string(m.headers.size());
    std::string joined;
    for (std::size_t i = 0; i < rec.fields.size() && joined.size() < 200; ++i) {
      if (i) joined += reader_->delimiter();
      joined += rec.fields[i];
    }
    e.value = detail::report_value(joined);
    out.errors.push_back(std::move(e));
    return true;
  }
  RawLead raw;
  for (std::size_t i = 0; i < used; ++i)
    if (m.fields[i]) raw.set(*m.fields[i], m.headers[i], rec.fields[i]);
  validate_lead(raw, options_.organization_id, validation_, rec.line, out);
  return true;
}

}  // namespace promptsales::crm
