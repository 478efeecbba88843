#include "promptsales/crm/error_report.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace promptsales::crm {

namespace {

[[noreturn]] void io_error(const std::string& what, const std::string& path) {
  throw std::runtime_error(what + " " + path + ": " + std::strerror(errno));
}

}  // namespace

std::string report_csv_field(std::string_view value) {
  std::string v;
  if (!value.empty() &&
      (value[0] == '=' || value[0] == '+' || value[0] == '-' || value[0] == '@' || value[0] == '\t' || value[0] == '\r')) {
    v = "'";  // a spreadsheet would otherwise evaluate it as a formula
  }
  v.append(value);
  if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
  std::string out = "\"";
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

ErrorReportWriter::ErrorReportWriter(std::string path) : path_(std::move(path)) {
  std::string tmpl = path_ + ".tmp-XXXXXX";
  const int fd = ::mkstemp(tmpl.data());
  if (fd < 0) io_error("cannot create the error report", tmpl);
  temp_path_ = tmpl;
  file_ = ::fdopen(fd, "w");
  if (file_ == nullptr) {
    ::close(fd);
    ::unlink(temp_path_.c_str());
    io_error("cannot open the error report", temp_path_);
  }
  std::fputs("line,column,value,error_code,message\n", file_);
}

ErrorReportWriter::~ErrorReportWriter() {
  if (file_ != nullptr) std::fclose(file_);
  if (!committed_ && !temp_path_.empty()) ::unlink(temp_path_.c_str());
}

void ErrorReportWriter::add(const RowError& e) {
  if (file_ == nullptr) throw std::logic_error("ErrorReportWriter: add after commit");
  std::string row = std::to_string(e.line);
  row += ',';
  row += report_csv_field(e.column);
  row += ',';
  row += report_csv_field(e.value);
  row += ',';
  row += report_csv_field(e.code);
  row += ',';
  row += report_csv_field(e.message);
  row += '\n';
  if (std::fwrite(row.data(), 1, row.size(), file_) != row.size()) io_error("cannot write the error report", temp_path_);
  ++count_;
}

void ErrorReportWriter::commit() {
  if (file_ == nullptr) throw std::logic_error("ErrorReportWriter: commit twice");
  const bool ok = std::fflush(file_) == 0 && ::fsync(::fileno(file_)) == 0;
  const int closed = std::fclose(file_);
  file_ = nullptr;
  if (!ok || closed != 0) io_error("cannot write the error report", temp_path_);
  if (::rename(temp_path_.c_str(), path_.c_str()) != 0) io_error("cannot move the error report to", path_);
  committed_ = true;
}

}  // namespace promptsales::crm
