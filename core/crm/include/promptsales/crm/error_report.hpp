#pragma once
/// The import's error report: a CSV file with the header
/// `line,column,value,error_code,message`, one row per rejected value or
/// record (line 0 for whole-file errors). Written to a temporary file beside
/// the target and renamed over it by commit(), so a reader never sees half
/// a report; without commit() the temporary file is removed.

#include <cstddef>
#include <cstdio>
#include <string>
#include <string_view>

#include "promptsales/crm/lead.hpp"

namespace promptsales::crm {

/// `value` as one CSV field: quoted when it holds a comma, quote, CR or LF
/// (quotes doubled); a value starting with = + - @ (or TAB, CR) gets a
/// leading apostrophe so spreadsheets do not run it as a formula.
std::string report_csv_field(std::string_view value);

class ErrorReportWriter {
 public:
  /// Creates the temporary file in the target's folder; throws
  /// std::runtime_error naming the path when it cannot.
  explicit ErrorReportWriter(std::string path);
  ~ErrorReportWriter();
  ErrorReportWriter(const ErrorReportWriter&) = delete;
  ErrorReportWriter& operator=(const ErrorReportWriter&) = delete;

  void add(const RowError& error);
  /// Flushes, syncs and renames the report into place.
  void commit();
  std::size_t count() const noexcept { return count_; }
  const std::string& path() const noexcept { return path_; }

 private:
  std::string path_;
  std::string temp_path_;
  std::FILE* file_ = nullptr;
  std::size_t count_ = 0;
  bool committed_ = false;
};

}  // namespace promptsales::crm
