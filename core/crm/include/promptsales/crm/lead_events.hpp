#pragma once
/// Engagement events of leads (opened, clicked, replied, ...), the input of
/// scoring: adding one, and adding many from a CSV or JSONL file with
/// rejected rows reported by line (like `lead import`).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "promptsales/common/crypto/data_key.hpp"
#include "promptsales/crm/lead.hpp"
#include "promptsales/crm/row_error_sink.hpp"

namespace promptsales::db {
class Pool;
}

namespace promptsales::crm {

class LeadCipher;

/// One event as read: the lead by id or by email (normalised), the rest
/// still text so that each row's problems are reported on its own.
struct LeadEventInput {
  std::size_t line = 0;                 ///< 0 for a single event
  std::optional<std::int64_t> lead_id;
  std::optional<std::string> email;
  std::string kind;
  std::string occurred_at;              ///< ISO 8601; empty: now; no zone: UTC
  std::string metadata;                 ///< a JSON object; empty: {}
};

/// A validated event, ready to insert.
struct LeadEventRow {
  std::int64_t lead_id = 0;
  std::string kind;
  std::optional<double> occurred_at_epoch;  ///< seconds; unset: now()
  std::string metadata;                     ///< compact JSON object
};

/// ISO 8601 date-time ("2024-05-01", "2024-05-01T10:00:00Z",
/// "2024-05-01 10:00:00.5+02:00") to Unix seconds; nullopt when not one.
std::optional<double> parse_iso8601(const std::string& text);

struct EventImportSummary {
  std::uint64_t records = 0;
  std::uint64_t added = 0;
  std::uint64_t failed = 0;
};

/// Reads an event file (csv or jsonl; empty format: from the extension):
/// CSV with a header naming lead_id or email, kind, occurred_at and an
/// optional metadata column; JSONL objects with the same keys. Records with
/// a broken shape become RowErrors (line, column, code). Throws
/// ValidationError("FILE", ...) when the file cannot be read or has no
/// usable header.
class LeadEventReader {
 public:
  virtual ~LeadEventReader() = default;
  /// False at the end. Either `event` is set or `error` is.
  virtual bool next(LeadEventInput& event, std::optional<RowError>& error) = 0;
};
std::unique_ptr<LeadEventReader> open_event_file(const std::string& path, const std::string& format);

class PgLeadEventStore {
 public:
  PgLeadEventStore(db::Pool& crm, crypto::Keyring keys);
  ~PgLeadEventStore();

  /// Adds one event. ValidationError for a bad kind, time or metadata;
  /// NotFound when the lead is absent, forgotten, or of another organization.
  std::int64_t add(std::int64_t organization_id, const LeadEventInput& event);

  /// Adds the events `reader` yields, `batch_size` per transaction; a bad
  /// row (shape, kind, time, metadata, unknown lead) goes to `errors` and
  /// never stops the good ones.
  EventImportSummary import(std::int64_t organization_id, LeadEventReader& reader, RowErrorSink& errors,
                            std::size_t batch_size = 5000);

 private:
  const LeadCipher& cipher();
  std::optional<LeadEventRow> validate(const LeadEventInput& in, RowError& error) const;
  std::vector<std::int64_t> insert_batch(std::int64_t organization_id, const std::vector<LeadEventInput>& batch,
                                         RowErrorSink& errors);
  db::Pool& crm_;
  crypto::Keyring keys_;
  std::unique_ptr<LeadCipher> cipher_;
};

}  // namespace promptsales::crm
