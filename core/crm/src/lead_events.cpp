#include "promptsales/crm/lead_events.hpp"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <map>
#include <unordered_map>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "hex.hpp"
#include "promptsales/common/db/pool.hpp"
#include "promptsales/common/db/text_array.hpp"
#include "promptsales/common/errors.hpp"
#include "promptsales/crm/csv_reader.hpp"
#include "promptsales/crm/lead_cipher.hpp"
#include "promptsales/crm/lead_scoring.hpp"
#include "promptsales/crm/lead_validation.hpp"

namespace promptsales::crm {
namespace {

constexpr std::size_t kMaxMetadataBytes = 4096;

// The lead must be the organization's and not forgotten: tenancy is
// checked here, not trusted from the file.
constexpr const char* kLeadsById =
    "SELECT id FROM leads WHERE organization_id = $1 AND id = ANY($2::bigint[]) AND forgotten_at IS NULL";
constexpr const char* kLeadsByEmailHash =
    "SELECT id, encode(email_hash, 'hex') FROM leads WHERE organization_id = $1 AND forgotten_at IS NULL "
    "AND email_hash IN (SELECT decode(h, 'hex') FROM unnest($2::text[]) AS h)";
constexpr const char* kInsertEvents =
    "INSERT INTO lead_events (lead_id, organization_id, kind, occurred_at, metadata) "
    "SELECT u.lead_id, $1, u.kind, COALESCE(to_timestamp(u.at), now()), u.metadata::jsonb "
    "FROM unnest($2::bigint[], $3::text[], $4::float8[], $5::text[]) AS u(lead_id, kind, at, metadata) "
    "RETURNING id";

int digits(const std::string& s, std::size_t& i, std::size_t n) {
  if (i + n > s.size()) return -1;
  int v = 0;
  for (std::size_t k = 0; k < n; ++k) {
    const char c = s[i + k];
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  i += n;
  return v;
}

RowError row_error(std::size_t line, std::string column, const std::string& value, std::string code,
                   std::string message) {
  return {line, std::move(column), value.substr(0, 200), std::move(code), std::move(message)};
}

std::string fmt_double(double d) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", d);
  return buf;
}

/// Reads CSV event files through the lead CSV reader.
class CsvEventReader final : public LeadEventReader {
 public:
  explicit CsvEventReader(const std::string& path) : csv_(file_input(path)) {
    CsvRecord header;
    if (!csv_.next(header) || header.error) throw ValidationError("FILE", path + " has no CSV header line");
    for (std::size_t i = 0; i < header.fields.size(); ++i) {
      std::string name(header.fields[i]);
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      columns_[name] = i;
    }
    if (!columns_.count("kind")) throw ValidationError("FILE", path + ": the header has no kind column");
    if (!columns_.count("lead_id") && !columns_.count("email"))
      throw ValidationError("FILE", path + ": the header needs a lead_id or an email column");
  }
  bool next(LeadEventInput& ev, std::optional<RowError>& error) override {
    CsvRecord r;
    if (!csv_.next(r)) return false;
    ev = {};
    error.reset();
    ev.line = r.line;
    if (r.error) {
      error = *r.error;
      return true;
    }
    auto field = [&](const char* name) -> std::optional<std::string> {
      const auto it = columns_.find(name);
      if (it == columns_.end() || it->second >= r.fields.size() || r.fields[it->second].empty()) return std::nullopt;
      return std::string(r.fields[it->second]);
    };
    if (const auto id = field("lead_id")) {
      try {
        std::size_t used = 0;
        ev.lead_id = std::stoll(*id, &used);
        if (used != id->size()) throw std::invalid_argument("trailing");
      } catch (const std::exception&) {
        error = row_error(r.line, "lead_id", *id, "invalid_lead_id", "lead_id must be a whole number");
        return true;
      }
    }
    ev.email = field("email");
    ev.kind = field("kind").value_or("");
    ev.occurred_at = field("occurred_at").value_or("");
    ev.metadata = field("metadata").value_or("");
    return true;
  }

 private:
  CsvReader csv_;
  std::map<std::string, std::size_t> columns_;
};

/// One JSON object per line: {"lead_id": 1 | "email": "...", "kind": "...",
/// "occurred_at": "...", "metadata": {...}}.
class JsonlEventReader final : public LeadEventReader {
 public:
  explicit JsonlEventReader(const std::string& path) : in_(path, std::ios::binary) {
    if (!in_) throw ValidationError("FILE", "cannot read " + path);
  }
  bool next(LeadEventInput& ev, std::optional<RowError>& error) override {
    std::string text;
    for (;;) {
      if (!std::getline(in_, text)) return false;
      ++line_;
      if (text.find_first_not_of(" \t\r") != std::string::npos) break;
    }
    ev = {};
    error.reset();
    ev.line = line_;
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error&) {
      error = row_error(line_, "", text, "bad_json", "not a JSON object");
      return true;
    }
    if (!j.is_object()) {
      error = row_error(line_, "", text, "bad_json", "not a JSON object");
      return true;
    }
    for (const auto& [key, v] : j.items()) {
      if (key == "lead_id" && v.is_number_integer()) {
        ev.lead_id = v.get<std::int64_t>();
      } else if (key == "email" && v.is_string()) {
        ev.email = v.get<std::string>();
      } else if (key == "kind" && v.is_string()) {
        ev.kind = v.get<std::string>();
      } else if (key == "occurred_at" && v.is_string()) {
        ev.occurred_at = v.get<std::string>();
      } else if (key == "metadata" && v.is_object()) {
        ev.metadata = v.dump();
      } else {
        error = row_error(line_, key, v.dump(), "bad_field",
                          key == "lead_id" || key == "email" || key == "kind" || key == "occurred_at" ||
                                  key == "metadata"
                              ? key + " has the wrong type"
                              : "unknown key " + key + " (known: lead_id, email, kind, occurred_at, metadata)");
        return true;
      }
    }
    return true;
  }

 private:
  std::ifstream in_;
  std::size_t line_ = 0;
};

}  // namespace

std::optional<double> parse_iso8601(const std::string& s) {
  std::size_t i = 0;
  std::tm tm{};
  const int y = digits(s, i, 4);
  if (y < 1900 || i >= s.size() || s[i++] != '-') return std::nullopt;
  const int mo = digits(s, i, 2);
  if (mo < 1 || mo > 12 || i >= s.size() || s[i++] != '-') return std::nullopt;
  const int d = digits(s, i, 2);
  if (d < 1 || d > 31) return std::nullopt;
  int h = 0, mi = 0, se = 0;
  double frac = 0;
  long offset = 0;
  if (i < s.size() && (s[i] == 'T' || s[i] == ' ')) {
    ++i;
    h = digits(s, i, 2);
    if (h < 0 || h > 23 || i >= s.size() || s[i++] != ':') return std::nullopt;
    mi = digits(s, i, 2);
    if (mi < 0 || mi > 59) return std::nullopt;
    if (i < s.size() && s[i] == ':') {
      ++i;
      se = digits(s, i, 2);
      if (se < 0 || se > 60) return std::nullopt;
      if (i < s.size() && s[i] == '.') {
        ++i;
        double scale = 0.1;
        const auto start = i;
        while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
          frac += (s[i++] - '0') * scale;
          scale /= 10;
        }
        if (i == start) return std::nullopt;
      }
    }
    if (i < s.size() && s[i] == 'Z') {
      ++i;
    } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
      const int sign = s[i++] == '-' ? -1 : 1;
      const int oh = digits(s, i, 2);
      if (oh < 0 || oh > 14) return std::nullopt;
      if (i < s.size() && s[i] == ':') ++i;
      int om = 0;
      if (i < s.size()) om = digits(s, i, 2);
      if (om < 0 || om > 59) return std::nullopt;
      offset = sign * (oh * 3600L + om * 60L);
    }
  }
  if (i != s.size()) return std::nullopt;
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = se;
  const std::time_t t = timegm(&tm);
  if (tm.tm_mday != d || tm.tm_mon != mo - 1) return std::nullopt;  // 2024-02-30 rolled over
  return static_cast<double>(t - offset) + frac;
}

std::unique_ptr<LeadEventReader> open_event_file(const std::string& path, const std::string& format) {
  std::string f = format;
  if (f.empty()) {
    const auto dot = path.rfind('.');
    const std::string ext = dot == std::string::npos ? "" : path.substr(dot + 1);
    if (ext == "jsonl" || ext == "ndjson") {
      f = "jsonl";
    } else if (ext == "csv" || ext == "tsv") {
      f = "csv";
    } else {
      throw ValidationError("--format", "cannot tell the format from " + path + ": give --format csv or jsonl");
    }
  }
  if (f == "csv") return std::make_unique<CsvEventReader>(path);
  if (f == "jsonl") return std::make_unique<JsonlEventReader>(path);
  throw ValidationError("--format", "must be csv or jsonl");
}

PgLeadEventStore::PgLeadEventStore(db::Pool& crm, crypto::Keyring keys) : crm_(crm), keys_(std::move(keys)) {}
PgLeadEventStore::~PgLeadEventStore() = default;

const LeadCipher& PgLeadEventStore::cipher() {
  if (!cipher_) {
    auto lease = crm_.acquire();
    cipher_ = std::make_unique<LeadCipher>(keys_, load_index_key(*lease, keys_));
  }
  return *cipher_;
}

std::optional<LeadEventRow> PgLeadEventStore::validate(const LeadEventInput& in, RowError& e) const {
  auto fail = [&](std::string column, const std::string& value, std::string code, std::string message) {
    e = row_error(in.line, std::move(column), value, std::move(code), std::move(message));
    return std::nullopt;
  };
  LeadEventRow row;
  if (!in.lead_id && !in.email) return fail("lead_id", "", "missing_lead", "give lead_id or email");
  if (in.lead_id && *in.lead_id <= 0)
    return fail("lead_id", std::to_string(*in.lead_id), "invalid_lead_id", "lead_id must be positive");
  if (!valid_event_kind(in.kind)) {
    return fail("kind", in.kind, "invalid_kind",
                "kind must start with a lower-case letter and hold only a-z, 0-9, _ and . (at most 40)");
  }
  row.kind = in.kind;
  if (!in.occurred_at.empty()) {
    row.occurred_at_epoch = parse_iso8601(in.occurred_at);
    if (!row.occurred_at_epoch)
      return fail("occurred_at", in.occurred_at, "invalid_time",
                  "occurred_at must be an ISO 8601 date-time, e.g. 2024-05-01T10:00:00Z");
  }
  row.metadata = "{}";
  if (!in.metadata.empty()) {
    if (in.metadata.size() > kMaxMetadataBytes)
      return fail("metadata", in.metadata, "metadata_too_large", "metadata is over 4096 bytes");
    try {
      const auto j = nlohmann::json::parse(in.metadata);
      if (!j.is_object()) throw std::invalid_argument("not an object");
      row.metadata = j.dump();
    } catch (const std::exception&) {
      return fail("metadata", in.metadata, "invalid_metadata", "metadata must be a JSON object");
    }
  }
  return row;
}

std::int64_t PgLeadEventStore::add(std::int64_t organization_id, const LeadEventInput& in) {
  if (organization_id <= 0) throw ValidationError("org", "must be a positive organization id");
  RowError e;
  auto row = validate(in, e);
  if (!row) throw ValidationError(e.column == "lead_id" ? "lead" : e.column, e.message);
  MemoryRowErrorSink errors;
  const auto ids = insert_batch(organization_id, {in}, errors);
  if (ids.size() != 1) {
    throw NotFound("lead " + (in.lead_id ? std::to_string(*in.lead_id) : std::string("with that email")) +
                   " not found in organization " + std::to_string(organization_id));
  }
  return ids.front();
}

std::vector<std::int64_t> PgLeadEventStore::insert_batch(std::int64_t organization_id,
                                                         const std::vector<LeadEventInput>& batch,
                                                         RowErrorSink& errors) {
  // Validate each row; then resolve leads (ids checked for tenancy, emails
  // through the blind index) in two queries; then one INSERT.
  std::vector<std::optional<LeadEventRow>> rows;
  std::vector<std::string> hashes(batch.size());
  std::vector<std::int64_t> ids;
  std::vector<std::string> hash_list;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    RowError e;
    rows.push_back(validate(batch[i], e));
    if (!rows.back()) {
      errors.add(e);
      continue;
    }
    if (batch[i].lead_id) {
      ids.push_back(*batch[i].lead_id);
    } else {
      const auto email = normalize_email(*batch[i].email);
      if (!email) {
        errors.add(row_error(batch[i].line, "email", *batch[i].email, "invalid_email", "not an email address"));
        rows.back().reset();
        continue;
      }
      hashes[i] = detail::to_hex(cipher().email_hash(*email));
      hash_list.push_back(hashes[i]);
    }
  }
  return crm_.with_connection([&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    std::unordered_map<std::int64_t, bool> known_ids;
    std::unordered_map<std::string, std::int64_t> by_hash;
    if (!ids.empty()) {
      std::string arr = "{";
      for (std::size_t i = 0; i < ids.size(); ++i) arr += (i ? "," : "") + std::to_string(ids[i]);
      for (const auto& r : tx.exec_params(kLeadsById, organization_id, arr + "}")) known_ids[r[0].as<std::int64_t>()] = true;
    }
    if (!hash_list.empty()) {
      for (const auto& r : tx.exec_params(kLeadsByEmailHash, organization_id, db::to_text_array(hash_list)))
        by_hash[r[1].as<std::string>()] = r[0].as<std::int64_t>();
    }
    std::string lead_ids = "{", times = "{";
    std::vector<std::string> kind_v, meta_v;
    for (std::size_t i = 0; i < batch.size(); ++i) {
      auto& row = rows[i];
      if (!row) continue;
      if (batch[i].lead_id) {
        if (!known_ids.count(*batch[i].lead_id)) {
          errors.add(row_error(batch[i].line, "lead_id", std::to_string(*batch[i].lead_id), "unknown_lead",
                               "no such lead in this organization"));
          continue;
        }
        row->lead_id = *batch[i].lead_id;
      } else {
        const auto it = by_hash.find(hashes[i]);
        if (it == by_hash.end()) {
          // The message names the line, not the person.
          errors.add(row_error(batch[i].line, "email", "", "unknown_lead", "no lead with this email in this organization"));
          continue;
        }
        row->lead_id = it->second;
      }
      lead_ids += (kind_v.empty() ? "" : ",") + std::to_string(row->lead_id);
      times += (kind_v.empty() ? "" : ",") + (row->occurred_at_epoch ? fmt_double(*row->occurred_at_epoch) : "NULL");
      kind_v.push_back(row->kind);
      meta_v.push_back(row->metadata);
    }
    std::vector<std::int64_t> inserted;
    if (kind_v.empty()) return inserted;
    for (const auto& r : tx.exec_params(kInsertEvents, organization_id, lead_ids + "}", db::to_text_array(kind_v),
                                        times + "}", db::to_text_array(meta_v)))
      inserted.push_back(r[0].as<std::int64_t>());
    tx.commit();
    return inserted;
  });
}

EventImportSummary PgLeadEventStore::import(std::int64_t organization_id, LeadEventReader& reader,
                                            RowErrorSink& errors, std::size_t batch_size) {
  if (organization_id <= 0) throw ValidationError("org", "must be a positive organization id");
  if (batch_size < 1 || batch_size > 100000) throw ValidationError("batch-size", "must be 1-100000");
  EventImportSummary summary;
  std::vector<LeadEventInput> batch;
  auto flush = [&] {
    if (batch.empty()) return;
    summary.added += insert_batch(organization_id, batch, errors).size();
    batch.clear();
  };
  LeadEventInput ev;
  std::optional<RowError> error;
  while (reader.next(ev, error)) {
    ++summary.records;
    if (error) {
      errors.add(*error);
      continue;
    }
    batch.push_back(std::move(ev));
    if (batch.size() >= batch_size) flush();
  }
  flush();
  summary.failed = summary.records - summary.added;
  return summary;
}

}  // namespace promptsales::crm
