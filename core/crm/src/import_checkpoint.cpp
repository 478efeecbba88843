#include "import_checkpoint.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "hex.hpp"
#include "promptsales/common/errors.hpp"

namespace promptsales::crm::detail {
namespace {

constexpr const char* kSavePart =
    "INSERT INTO lead_import_parts (import_key, part, last_line, records, created, updated, skipped, failed) "
    "VALUES (decode($1, 'hex'), $2, $3, $4, $5, $6, $7, $8) "
    "ON CONFLICT (import_key, part) DO UPDATE SET last_line = EXCLUDED.last_line, records = EXCLUDED.records, "
    "created = EXCLUDED.created, updated = EXCLUDED.updated, skipped = EXCLUDED.skipped, "
    "failed = EXCLUDED.failed, updated_at = now()";

constexpr const char* kSaveErrors =
    "INSERT INTO lead_import_errors (import_key, line, code, message) "
    "SELECT decode($1, 'hex'), (e->>'line')::bigint, e->>'code', e->>'message' "
    "FROM jsonb_array_elements($2::jsonb) e ON CONFLICT DO NOTHING";

long long lock_id(const std::string& key_hex) {
  const auto raw = from_hex(key_hex.substr(0, 16));
  unsigned long long v = 0;
  for (unsigned char ch : raw) v = (v << 8) | ch;
  return static_cast<long long>(v);
}

}  // namespace

ImportCounts Checkpoint::total() const noexcept {
  ImportCounts t;
  for (const auto& c : counts) t += c;
  return t;
}

std::size_t Checkpoint::committed_through() const noexcept {
  return last_line.empty() ? 0 : *std::min_element(last_line.begin(), last_line.end());
}

std::size_t Checkpoint::reached() const noexcept {
  return last_line.empty() ? 0 : *std::max_element(last_line.begin(), last_line.end());
}

ImportLock::ImportLock(pqxx::connection& c, const std::string& key_hex) : c_(c), id_(lock_id(key_hex)) {
  pqxx::nontransaction tx(c_);
  tx.exec("SELECT set_config('lock_timeout', '30s', false)");
  try {
    tx.exec_params("SELECT pg_advisory_lock($1)", id_);
  } catch (const pqxx::sql_error& e) {
    if (std::string(e.sqlstate()) != "55P03") throw;
    tx.exec("RESET lock_timeout");
    throw Conflict("this import (same input, organization and options) is running in another process");
  }
  tx.exec("RESET lock_timeout");
}

ImportLock::~ImportLock() {
  try {
    pqxx::nontransaction tx(c_);
    tx.exec_params("SELECT pg_advisory_unlock($1)", id_);
  } catch (...) {
    // A broken connection released it already.
  }
}

Checkpoint read_checkpoint(pqxx::connection& c, const std::string& key_hex) {
  pqxx::nontransaction tx(c);
  Checkpoint cp;
  const auto head = tx.exec_params("SELECT state, parts FROM lead_imports WHERE import_key = decode($1, 'hex')", key_hex);
  if (head.empty()) return cp;
  cp.exists = true;
  cp.done = head[0][0].as<std::string>() == "done";
  cp.parts = head[0][1].as<unsigned>();
  cp.last_line.assign(cp.parts, 0);
  cp.counts.assign(cp.parts, {});
  for (const auto& r : tx.exec_params("SELECT part, last_line, records, created, updated, skipped, failed "
                                      "FROM lead_import_parts WHERE import_key = decode($1, 'hex')",
                                      key_hex)) {
    const auto part = r[0].as<unsigned>();
    if (part >= cp.parts) {
      throw Error("lead_import_parts has part " + std::to_string(part) + " of an import split into " +
                  std::to_string(cp.parts) + ": the checkpoint was changed by hand");
    }
    cp.last_line[part] = r[1].as<std::size_t>();
    cp.counts[part] = {r[2].as<std::uint64_t>(), r[3].as<std::uint64_t>(), r[4].as<std::uint64_t>(),
                       r[5].as<std::uint64_t>(), r[6].as<std::uint64_t>()};
  }
  return cp;
}

Checkpoint begin_import(pqxx::connection& c, const std::string& key_hex, const ImportOptions& o, unsigned parts,
                        bool restart) {
  {
    pqxx::work tx(c);
    if (restart) tx.exec_params("DELETE FROM lead_imports WHERE import_key = decode($1, 'hex')", key_hex);
    tx.exec_params(
        "INSERT INTO lead_imports (import_key, organization_id, on_duplicate, state, parts) "
        "VALUES (decode($1, 'hex'), $2, $3, 'running', $4) "
        "ON CONFLICT (import_key) DO UPDATE SET runs = lead_imports.runs + 1, updated_at = now()",
        key_hex, o.organization_id, std::string(to_string(o.on_duplicate)), static_cast<int>(parts));
    tx.commit();
  }
  return read_checkpoint(c, key_hex);
}

void save_part(pqxx::transaction_base& tx, const std::string& key_hex, unsigned part, std::size_t last_line,
               const ImportCounts& counts) {
  tx.exec_params(kSavePart, key_hex, static_cast<int>(part), static_cast<long long>(last_line),
                 static_cast<long long>(counts.records), static_cast<long long>(counts.created),
                 static_cast<long long>(counts.updated), static_cast<long long>(counts.skipped),
                 static_cast<long long>(counts.failed));
}

void save_errors(pqxx::transaction_base& tx, const std::string& key_hex, const std::vector<RowError>& errors) {
  if (errors.empty()) return;
  nlohmann::json j = nlohmann::json::array();
  for (const auto& e : errors) j.push_back({{"line", e.line}, {"code", e.code}, {"message", e.message}});
  tx.exec_params(kSaveErrors, key_hex, j.dump());
}

std::vector<RowError> saved_errors(pqxx::connection& c, const std::string& key_hex) {
  pqxx::nontransaction tx(c);
  std::vector<RowError> out;
  for (const auto& r : tx.exec_params("SELECT line, code, message FROM lead_import_errors "
                                      "WHERE import_key = decode($1, 'hex') ORDER BY line",
                                      key_hex)) {
    RowError e;
    e.line = r[0].as<std::size_t>();
    e.column = "email";
    e.code = r[1].as<std::string>();
    e.message = r[2].as<std::string>();
    out.push_back(std::move(e));
  }
  return out;
}

void finish_import(pqxx::connection& c, const std::string& key_hex, const ImportCounts& total) {
  pqxx::work tx(c);
  tx.exec_params(
      "UPDATE lead_imports SET state = 'done', records = $2, created = $3, updated = $4, skipped = $5, "
      "failed = $6, finished_at = now(), updated_at = now() WHERE import_key = decode($1, 'hex')",
      key_hex, static_cast<long long>(total.records), static_cast<long long>(total.created),
      static_cast<long long>(total.updated), static_cast<long long>(total.skipped),
      static_cast<long long>(total.failed));
  tx.commit();
}

}  // namespace promptsales::crm::detail
