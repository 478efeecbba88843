#pragma once
/// A deterministic, generated LeadSource: the same `count` always yields the
/// same records. For benchmarks and crash tests of the pipeline without a
/// file (scripts/bench/lead_import.sh writes the same rows as CSV).

#include "promptsales/crm/lead_source.hpp"

namespace promptsales::crm {

class SyntheticLeadSource final : public LeadSource {
 public:
  /// `count` records for `organization_id`, lines 2..count+1 (line 1 is the
  /// CSV header). Every 50th record repeats the email of the record 7 before
  /// it (within-file duplicates); every 200th is rejected (invalid_email).
  SyntheticLeadSource(std::int64_t organization_id, std::uint64_t count)
      : organization_id_(organization_id), count_(count) {}
  bool next(ReadRecord& out) override;
  std::uint64_t bytes_read() const noexcept override { return bytes_; }

  /// The record `i` (0-based) as its CSV line (without the newline), with
  /// the header "email,name,phone,country,city,source,interests,birth_date,consent_email".
  static std::string csv_line(std::uint64_t i);

 private:
  std::int64_t organization_id_;
  std::uint64_t count_;
  std::uint64_t next_ = 0;
  std::uint64_t bytes_ = 0;
};

}  // namespace promptsales::crm
