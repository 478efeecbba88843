#pragma once
/// Rejected rows of an import command (`lead import`, `lead event import`):
/// the CSV report of --errors (written beside it and renamed into place when
/// complete), or, without --errors, the first 20 on stderr named by line
/// and reason.

#include <iostream>
#include <memory>
#include <string>

#include "promptsales/common/errors.hpp"
#include "promptsales/crm/error_report.hpp"
#include "promptsales/crm/row_error_sink.hpp"

namespace promptsales::app {

class RowErrorReport final : public crm::RowErrorSink {
 public:
  explicit RowErrorReport(const std::string& path) {
    if (path.empty()) return;
    try {
      writer_ = std::make_unique<crm::ErrorReportWriter>(path);
    } catch (const std::runtime_error& e) {
      throw ValidationError("--errors", e.what());
    }
  }
  void add(const crm::RowError& e) override {
    ++count_;
    if (writer_) {
      writer_->add(e);
    } else if (count_ <= 20) {
      std::cerr << "line " << e.line << ": " << (e.column.empty() ? "" : e.column + ": ") << e.message << " ("
                << e.code << ")\n";
    }
  }
  void close() {
    if (!writer_) {
      if (count_ > 20) std::cerr << "... and " << count_ - 20 << " more (write them all with --errors FILE)\n";
      return;
    }
    try {
      writer_->commit();
    } catch (const std::runtime_error& e) {
      throw Error(std::string("could not finish writing the error report: ") + e.what());
    }
  }

 private:
  std::unique_ptr<crm::ErrorReportWriter> writer_;
  std::uint64_t count_ = 0;
};

}  // namespace promptsales::app
