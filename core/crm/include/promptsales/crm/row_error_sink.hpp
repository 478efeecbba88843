#pragma once
/// Where the import's rejected rows go (the error report). The CSV report
/// writer implements it; tests use MemoryRowErrorSink.

#include <vector>

#include "promptsales/crm/lead.hpp"

namespace promptsales::crm {

class RowErrorSink {
 public:
  virtual ~RowErrorSink() = default;
  /// One rejected value or record; called from one thread, in line order
  /// within a batch.
  virtual void add(const RowError& error) = 0;
};

/// Keeps every error (tests, small imports).
class MemoryRowErrorSink final : public RowErrorSink {
 public:
  void add(const RowError& error) override { errors.push_back(error); }
  std::vector<RowError> errors;
};

/// Drops them (the summary still counts the rows).
class NullRowErrorSink final : public RowErrorSink {
 public:
  void add(const RowError&) override {}
};

}  // namespace promptsales::crm
