#pragma once
/// Lead files (CSV, JSONL) read as LeadSources, the pre-pass that checks a
/// file before anything is written, and the options both take.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "promptsales/crm/byte_input.hpp"
#include "promptsales/crm/column_mapping.hpp"
#include "promptsales/crm/csv_reader.hpp"
#include "promptsales/crm/lead_source.hpp"
#include "promptsales/crm/lead_validation.hpp"

namespace promptsales::crm {

enum class LeadFileFormat { automatic, csv, jsonl };
/// "auto", "csv", "jsonl".
std::optional<LeadFileFormat> lead_file_format_from_string(std::string_view s) noexcept;
std::string_view to_string(LeadFileFormat f) noexcept;

struct LeadReadOptions {
  std::int64_t organization_id = 0;
  std::vector<std::string> map;  ///< --map values ("Correo=email,Tel=phone"), repeatable
  std::string default_country;   ///< --default-country (ISO alpha-2) for national phone numbers
  char delimiter = 0;            ///< --delimiter (CSV); 0 detects ',', ';' or TAB
  std::string today;             ///< YYYY-MM-DD for "not in the future"; empty: today (UTC)
  std::size_t max_rows = kMaxImportRows;
  std::uint64_t max_bytes = kMaxImportBytes;
  std::size_t max_record_bytes = kMaxRecordBytes;
  std::size_t chunk_bytes = 256u << 10;  ///< read size; tests and fuzzing use small ones
};

/// Checks the options a user gave (known default country with a calling
/// code, a usable delimiter, --map syntax and fields); throws
/// ValidationError naming the flag.
void check_read_options(const LeadReadOptions& options);

/// A CSV lead file: the first record is the header.
class CsvLeadSource final : public LeadSource {
 public:
  CsvLeadSource(std::unique_ptr<ByteInput> in, LeadReadOptions options);
  ~CsvLeadSource() override;
  bool next(ReadRecord& out) override;
  std::uint64_t bytes_read() const noexcept override;
  /// The header's mapping (reads the header on first use). Throws
  /// ImportFileError: empty_file, bad_header, missing_email_column, ...
  const ColumnMapping& mapping();
  char delimiter();

 private:
  void read_header();

  std::unique_ptr<CsvReader> reader_;
  LeadReadOptions options_;
  ValidationOptions validation_;
  std::vector<MapOverride> overrides_;
  std::optional<ColumnMapping> mapping_;
  CsvRecord rec_;  ///< reused: its field vector keeps its capacity
  std::size_t rows_ = 0;
};

/// A JSONL lead file: one JSON object per line; keys are matched like CSV
/// headers (and --map applies to them). A line that is not a JSON object
/// is a row error (invalid_json); blank lines are skipped. Interests may
/// be an array. Numbers and booleans are read as their text.
class JsonlLeadSource final : public LeadSource {
 public:
  JsonlLeadSource(std::unique_ptr<ByteInput> in, LeadReadOptions options);
  ~JsonlLeadSource() override;
  bool next(ReadRecord& out) override;
  std::uint64_t bytes_read() const noexcept override;
  /// Keys seen so far that feed no field (for the summary).
  const std::vector<std::string>& unmapped_keys() const noexcept { return unmapped_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::vector<std::string> unmapped_;
};

/// Opens a lead file ("-": standard input). `automatic` picks the format by
/// extension (.csv .tsv .txt / .jsonl .ndjson .json), else by content (a
/// first non-blank '{' means JSONL). Throws ImportFileError (unreadable)
/// and ValidationError (bad options).
std::unique_ptr<LeadSource> open_lead_source(const std::string& path_or_dash, LeadFileFormat format,
                                             const LeadReadOptions& options);

/// What the pre-pass found.
struct FileCheck {
  LeadFileFormat format = LeadFileFormat::csv;
  std::uint64_t bytes = 0;
  std::size_t records = 0;  ///< data records (header excluded), broken ones included
  char delimiter = 0;       ///< CSV only
  std::vector<std::string> headers;                          ///< CSV only
  std::vector<std::pair<std::string, std::string>> mapped;   ///< header -> field (CSV)
  std::vector<std::string> unmapped;                         ///< CSV headers feeding nothing
};

/// A fast pass over a file before importing it: size and row limits, UTF-8,
/// the header and its mapping (CSV), record count. Does not validate
/// fields. Throws ImportFileError for any whole-file problem, so the
/// import can refuse the file before writing anything. Needs a real file
/// (not "-": standard input cannot be read twice).
FileCheck scan_import_file(const std::string& path, LeadFileFormat format, const LeadReadOptions& options);

}  // namespace promptsales::crm
