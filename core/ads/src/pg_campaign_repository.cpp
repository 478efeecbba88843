#include "promptsales/ads/pg_campaign_repository.hpp"

#include "promptsales/common/db/text_array.hpp"

#include <pqxx/pqxx>

#include "promptsales/common/db/errors.hpp"
#include "promptsales/common/db/pool.hpp"
#include "promptsales/common/errors.hpp"
#include "promptsales/common/time.hpp"

namespace promptsales::ads {
namespace {

constexpr const char* kColumns =
    "id, organization_id, name, description, status::text, enabled, deleted, budget::text, currency, "
    "channels::text, starts_at, ends_at, checksum, created_at, updated_at";

// Named statements. The list query has one variant per combination of
// filters, so each variant gets a plan that can use the right index
// (`$1 IS NULL OR ...` generic plans cannot).
constexpr const char* kFind = "campaigns_find";
constexpr const char* kFindForUpdate = "campaigns_find_for_update";
constexpr const char* kInsert = "campaigns_insert";
constexpr const char* kUpdate = "campaigns_update";

enum ListFilterBits : unsigned { kByOrg = 1, kByEnabled = 2, kBySearch = 4, kWithDeleted = 8 };
static_assert(kListVariants == 16, "one variant per combination of the four filter bits");

}  // namespace

std::string list_statement_name(unsigned mask) { return "campaigns_list_" + std::to_string(mask); }

std::string list_sql(unsigned mask) {
  std::string sql = std::string("SELECT ") + kColumns + " FROM campaigns WHERE TRUE";
  int n = 0;
  if (mask & kByOrg) sql += " AND organization_id = $" + std::to_string(++n);
  if (mask & kByEnabled) sql += " AND enabled = $" + std::to_string(++n);
  if (mask & kBySearch) {
    const auto p = "$" + std::to_string(++n);
    sql += " AND (name ILIKE " + p + " OR description ILIKE " + p + ")";
  }
  if (!(mask & kWithDeleted)) sql += " AND NOT deleted";
  sql += " ORDER BY created_at DESC, id DESC LIMIT $" + std::to_string(n + 1) + " OFFSET $" + std::to_string(n + 2);
  return sql;
}

ListStatement list_statement(const CampaignFilter& f) {
  ListStatement s;
  if (f.organization_id) {
    s.variant |= kByOrg;
    s.params.emplace_back(std::to_string(*f.organization_id));
  }
  if (f.enabled) {
    s.variant |= kByEnabled;
    s.params.emplace_back(*f.enabled ? "true" : "false");
  }
  if (f.search) {
    s.variant |= kBySearch;
    s.params.emplace_back(like_contains_pattern(*f.search));
  }
  if (f.include_deleted) s.variant |= kWithDeleted;
  s.params.emplace_back(std::to_string(f.limit));
  s.params.emplace_back(std::to_string(f.offset));
  return s;
}

namespace {

std::optional<std::string> optional_timestamp(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return pg_timestamp_to_iso(f.c_str());
}

Campaign from_row(const pqxx::row& r) {
  Campaign c;
  c.id = r[0].as<std::int64_t>();
  c.organization_id = r[1].as<std::int64_t>();
  c.name = r[2].c_str();
  c.description = r[3].c_str();
  c.status = status_from_string(r[4].c_str()).value_or(CampaignStatus::draft);
  c.enabled = r[5].c_str()[0] == 't';
  c.deleted = r[6].c_str()[0] == 't';
  c.budget = r[7].c_str();
  c.currency = r[8].c_str();
  c.channels = db::parse_text_array(r[9].c_str());
  c.starts_at = optional_timestamp(r[10]);
  c.ends_at = optional_timestamp(r[11]);
  c.checksum = r[12].c_str();
  c.created_at = pg_timestamp_to_iso(r[13].c_str());
  c.updated_at = pg_timestamp_to_iso(r[14].c_str());
  return c;
}

}  // namespace

void PgCampaignRepository::prepare_statements(pqxx::connection& conn) {
  conn.prepare(kFind, std::string("SELECT ") + kColumns + " FROM campaigns WHERE id = $1");
  conn.prepare(kFindForUpdate, std::string("SELECT ") + kColumns + " FROM campaigns WHERE id = $1 FOR UPDATE");
  conn.prepare(kInsert, std::string("INSERT INTO campaigns (organization_id, name, description, status, enabled, "
                                    "budget, currency, channels, starts_at, ends_at, checksum) VALUES ($1, $2, $3, "
                                    "$4::campaign_status, $5, $6::numeric, $7, $8::text[], $9::timestamptz, "
                                    "$10::timestamptz, $11) RETURNING ") +
                            kColumns);
  conn.prepare(kUpdate, std::string("UPDATE campaigns SET name = $2, description = $3, status = $4::campaign_status, "
                                    "enabled = $5, deleted = $6, budget = $7::numeric, currency = $8, channels = "
                                    "$9::text[], starts_at = $10::timestamptz, ends_at = $11::timestamptz, checksum "
                                    "= $12, updated_at = now() WHERE id = $1 RETURNING ") +
                            kColumns);
  for (unsigned mask = 0; mask < kListVariants; ++mask) conn.prepare(list_statement_name(mask), list_sql(mask));
}

Campaign PgCampaignRepository::insert(const Campaign& c) {
  auto lease = pool_.acquire();
  try {
    pqxx::work tx(*lease);
    const auto r = tx.exec_prepared(kInsert, c.organization_id, c.name, c.description, std::string(to_string(c.status)),
                                    c.enabled, c.budget, c.currency, db::to_text_array(c.channels), c.starts_at,
                                    c.ends_at, c.checksum);
    tx.commit();
    return from_row(r[0]);
  } catch (const pqxx::broken_connection&) {
    lease.discard();
    db::rethrow_translated();
  } catch (...) {
    db::rethrow_translated();
  }
}

std::optional<Campaign> PgCampaignRepository::find(std::int64_t id) {
  return pool_.with_connection([&](pqxx::connection& conn) -> std::optional<Campaign> {
    pqxx::nontransaction tx(conn);
    const auto r = tx.exec_prepared(kFind, id);
    if (r.empty()) return std::nullopt;
    return from_row(r[0]);
  });
}

std::vector<Campaign> PgCampaignRepository::list(const CampaignFilter& f) {
  const ListStatement statement = list_statement(f);
  return pool_.with_connection([&](pqxx::connection& conn) {
    // A single statement needs no BEGIN/COMMIT round trips.
    pqxx::nontransaction tx(conn);
    const auto r = tx.exec_prepared(list_statement_name(statement.variant),
                                  pqxx::prepare::make_dynamic_params(statement.params));
    std::vector<Campaign> out;
    out.reserve(r.size());
    for (const auto& row : r) out.push_back(from_row(row));
    return out;
  });
}

std::optional<Campaign> PgCampaignRepository::modify(std::int64_t id, const std::function<void(Campaign&)>& mutate) {
  auto lease = pool_.acquire();
  try {
    pqxx::work tx(*lease);
    const auto r = tx.exec_prepared(kFindForUpdate, id);
    if (r.empty()) return std::nullopt;
    Campaign c = from_row(r[0]);
    mutate(c);
    const auto u = tx.exec_prepared(kUpdate, id, c.name, c.description, std::string(to_string(c.status)), c.enabled,
                                    c.deleted, c.budget, c.currency, db::to_text_array(c.channels), c.starts_at,
                                    c.ends_at, c.checksum);
    tx.commit();
    return from_row(u[0]);
  } catch (const pqxx::broken_connection&) {
    lease.discard();
    db::rethrow_translated();
  } catch (...) {
    db::rethrow_translated();
  }
}

std::string like_contains_pattern(std::string_view value) {
  std::string p = "%";
  for (char c : value) {
    if (c == '%' || c == '_' || c == '\\') p.push_back('\\');
    p.push_back(c);
  }
  p.push_back('%');
  return p;
}

}  // namespace promptsales::ads
