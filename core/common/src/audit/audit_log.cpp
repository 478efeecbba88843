#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <chrono>

#include <pqxx/pqxx>

#include "promptsales/common/audit.hpp"
#include "promptsales/common/db/errors.hpp"
#include "promptsales/common/db/pool.hpp"
#include "promptsales/common/errors.hpp"
#include "promptsales/common/time.hpp"

namespace promptsales {
namespace {

bool valid_ip(const std::string& ip) {
  unsigned char buf[16];
  return inet_pton(AF_INET, ip.c_str(), buf) == 1 || inet_pton(AF_INET6, ip.c_str(), buf) == 1;
}

nlohmann::json row_of(const AuditEvent& e) {
  nlohmann::json details = e.details.is_object() ? e.details : nlohmann::json{{"value", e.details}};
  nlohmann::json ip = nullptr;
  if (e.client_ip) {
    // One malformed address must not fail the whole batch.
    if (valid_ip(*e.client_ip)) {
      ip = *e.client_ip;
    } else {
      details["clientIpUnparsed"] = e.client_ip->substr(0, 100);
    }
  }
  return {{"at", e.at ? nlohmann::json(*e.at) : nlohmann::json(nullptr)},
          {"actor", e.actor.substr(0, 300)},
          {"action", e.action.substr(0, 100)},
          {"target", e.target ? nlohmann::json(*e.target) : nlohmann::json(nullptr)},
          {"organization_id", e.organization_id ? nlohmann::json(*e.organization_id) : nlohmann::json(nullptr)},
          {"outcome", to_string(e.outcome)},
          {"client_ip", ip},
          {"details", details}};
}

void check(const AuditEvent& e) {
  if (e.actor.empty()) throw ValidationError("actor", "an audit event needs an actor");
  if (e.action.empty()) throw ValidationError("action", "an audit event needs an action");
}

}  // namespace

std::string_view to_string(AuditOutcome o) noexcept {
  switch (o) {
    case AuditOutcome::success: return "success";
    case AuditOutcome::failure: return "failure";
    case AuditOutcome::denied: return "denied";
  }
  return "failure";
}

void insert_audit_events(db::Pool& control, const std::vector<AuditEvent>& events) {
  if (events.empty()) return;
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& e : events) rows.push_back(row_of(e));
  const std::string payload = rows.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  auto lease = control.acquire();
  try {
    pqxx::work tx(*lease);
    tx.exec_params(
        "INSERT INTO audit_log (at, actor, action, target, organization_id, outcome, client_ip, details) "
        "SELECT coalesce(x.at, now()), x.actor, x.action, x.target, x.organization_id, x.outcome, "
        "x.client_ip::inet, coalesce(x.details, '{}'::jsonb) "
        "FROM jsonb_to_recordset($1::jsonb) AS x(at timestamptz, actor text, action text, target text, "
        "organization_id bigint, outcome text, client_ip text, details jsonb)",
        payload);
    tx.commit();
  } catch (...) {
    db::rethrow_translated();
  }
}

void PgAuditLog::record(const AuditEvent& event) {
  check(event);
  insert_audit_events(control_, {event});
}

std::vector<AuditEntry> PgAuditLog::list(const AuditQuery& q) {
  if (q.limit < 1 || q.limit > 10000) throw ValidationError("limit", "must be 1-10000");
  return control_.with_connection([&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);
    std::vector<AuditEntry> out;
    const auto rows = tx.exec_params(
        "SELECT id, at, actor, action, target, organization_id, outcome, host(client_ip), details::text "
        "FROM audit_log WHERE ($1::timestamptz IS NULL OR at >= $1) AND ($2::timestamptz IS NULL OR at < $2) "
        "AND ($3::text IS NULL OR actor = $3) AND ($4::text IS NULL OR action = $4) "
        "ORDER BY at DESC, id DESC LIMIT $5",
        q.since, q.until, q.actor, q.action, q.limit);
    for (const auto& r : rows) {
      AuditEntry e;
      e.id = r[0].as<std::int64_t>();
      e.at = pg_timestamp_to_iso(r[1].c_str());
      e.actor = r[2].as<std::string>();
      e.action = r[3].as<std::string>();
      if (!r[4].is_null()) e.target = r[4].as<std::string>();
      if (!r[5].is_null()) e.organization_id = r[5].as<std::int64_t>();
      e.outcome = r[6].as<std::string>();
      if (!r[7].is_null()) e.client_ip = r[7].as<std::string>();
      e.details = nlohmann::json::parse(r[8].c_str());
      out.push_back(std::move(e));
    }
    return out;
  });
}

PurgeResult PgAuditLog::purge(int days, bool dry_run, int batch) {
  if (days < 1 || days > 36500) throw ValidationError("older-than-days", "must be 1-36500");
  if (batch < 1) throw ValidationError("batch", "must be positive");
  PurgeResult result;
  result.dry_run = dry_run;
  auto lease = control_.acquire();
  try {
    // One cutoff for the whole purge, so batches agree on what is old.
    {
      pqxx::nontransaction tx(*lease);
      result.cutoff = pg_timestamp_to_iso(
          tx.exec_params1("SELECT (now() - make_interval(days => $1)) AT TIME ZONE 'UTC' || '+00'", days)[0].c_str());
    }
    if (dry_run) {
      pqxx::nontransaction tx(*lease);
      result.deleted = tx.exec_params1("SELECT count(*) FROM audit_log WHERE at < $1::timestamptz", result.cutoff)[0]
                           .as<std::int64_t>();
      return result;
    }
    for (;;) {
      pqxx::work tx(*lease);
      const auto r = tx.exec_params(
          "DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log WHERE at < $1::timestamptz ORDER BY at "
          "LIMIT $2)",
          result.cutoff, batch);
      tx.commit();
      result.deleted += static_cast<std::int64_t>(r.affected_rows());
      if (r.affected_rows() < static_cast<std::size_t>(batch)) break;
    }
  } catch (...) {
    db::rethrow_translated();
  }
  return result;
}

std::string parse_audit_time(std::string_view text, std::string_view field) {
  if (text.size() >= 2 && text.size() < 10 &&
      std::all_of(text.begin(), text.end() - 1, [](unsigned char c) { return std::isdigit(c); })) {
    const char unit = text.back();
    const long long n = std::stoll(std::string(text.substr(0, text.size() - 1)));
    long long seconds = 0;
    if (unit == 'm') seconds = n * 60;
    if (unit == 'h') seconds = n * 3600;
    if (unit == 'd') seconds = n * 86400;
    if (seconds > 100LL * 366 * 86400) {
      throw ValidationError(std::string(field), "'" + std::string(text) + "' reaches back more than 100 years");
    }
    if (seconds > 0) {
      const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
      return format_iso8601_utc(now - seconds, 0);
    }
  }
  if (auto iso = normalize_iso8601(text)) return *iso;
  throw ValidationError(std::string(field), "'" + std::string(text.substr(0, 40)) +
                                                "' is neither a date/instant (2026-03-01, 2026-03-01T10:00:00Z) "
                                                "nor a duration before now (90m, 24h, 7d)");
}

}  // namespace promptsales
