#include "promptsales/ads/pg_audience_repository.hpp"

#include <pqxx/pqxx>

#include "promptsales/common/db/errors.hpp"
#include "promptsales/common/db/pool.hpp"
#include "promptsales/common/errors.hpp"
#include "promptsales/common/time.hpp"

namespace promptsales::ads {
namespace {

// The latest size comes with each audience, so a list is one query.
constexpr const char* kSelect =
    "SELECT a.id, a.organization_id, a.name, a.description, a.rules::text, s.size, s.computed_at, "
    "a.created_at, a.updated_at FROM audiences a "
    "LEFT JOIN LATERAL (SELECT size, computed_at FROM audience_sizes WHERE audience_id = a.id "
    "ORDER BY computed_at DESC LIMIT 1) s ON true WHERE NOT a.deleted";

Audience from_row(const pqxx::row& r) {
  Audience a;
  a.id = r[0].as<std::int64_t>();
  a.organization_id = r[1].as<std::int64_t>();
  a.name = r[2].c_str();
  a.description = r[3].c_str();
  a.rules = rules_from_json(r[4].c_str());
  if (!r[5].is_null()) a.size = r[5].as<std::int64_t>();
  if (!r[6].is_null()) a.computed_at = pg_timestamp_to_iso(r[6].c_str());
  a.created_at = pg_timestamp_to_iso(r[7].c_str());
  a.updated_at = pg_timestamp_to_iso(r[8].c_str());
  return a;
}

/// The organization a tenancy confines to, as a nullable parameter.
std::optional<std::int64_t> confined(Tenancy t) { return t.organization(); }

template <class Fn>
auto translated(Fn&& fn) {
  try {
    return fn();
  } catch (const Error&) {
    throw;
  } catch (...) {
    db::rethrow_translated();
  }
}

}  // namespace

Audience PgAudienceRepository::create(const AudienceDraft& d) {
  return translated([&] {
    return pool_.with_connection([&](pqxx::connection& conn) {
      pqxx::work tx(conn);
      const auto id = tx.exec_params1("INSERT INTO audiences (organization_id, name, description, rules) "
                                      "VALUES ($1, $2, $3, $4::jsonb) RETURNING id",
                                      d.organization_id, d.name, d.description, rules_to_json(d.rules))[0]
                          .as<std::int64_t>();
      const auto row = tx.exec_params1(std::string(kSelect) + " AND a.id = $1", id);
      tx.commit();
      return from_row(row);
    });
  });
}

std::optional<Audience> PgAudienceRepository::find(std::int64_t id, Tenancy tenancy) {
  return translated([&]() -> std::optional<Audience> {
    return pool_.with_connection([&](pqxx::connection& conn) -> std::optional<Audience> {
      pqxx::nontransaction tx(conn);
      const auto r = tx.exec_params(
          std::string(kSelect) + " AND a.id = $1 AND ($2::bigint IS NULL OR a.organization_id = $2)", id,
          confined(tenancy));
      if (r.empty()) return std::nullopt;
      return from_row(r[0]);
    });
  });
}

std::vector<Audience> PgAudienceRepository::list(std::optional<std::int64_t> organization, Tenancy tenancy) {
  return translated([&] {
    return pool_.with_connection([&](pqxx::connection& conn) {
      pqxx::nontransaction tx(conn);
      const auto r = tx.exec_params(std::string(kSelect) +
                                        " AND ($1::bigint IS NULL OR a.organization_id = $1)"
                                        " AND ($2::bigint IS NULL OR a.organization_id = $2) ORDER BY a.id",
                                    organization, confined(tenancy));
      std::vector<Audience> out;
      out.reserve(r.size());
      for (const auto& row : r) out.push_back(from_row(row));
      return out;
    });
  });
}

bool PgAudienceRepository::remove(std::int64_t id, Tenancy tenancy) {
  return translated([&] {
    return pool_.with_connection([&](pqxx::connection& conn) {
      pqxx::work tx(conn);
      const auto r = tx.exec_params(
          "UPDATE audiences SET deleted = true, updated_at = now() WHERE id = $1 AND NOT deleted "
          "AND ($2::bigint IS NULL OR organization_id = $2)",
          id, confined(tenancy));
      tx.commit();
      return r.affected_rows() == 1;
    });
  });
}

void PgAudienceRepository::record_size(std::int64_t id, std::int64_t size, const std::string& computed_at) {
  translated([&] {
    pool_.with_connection([&](pqxx::connection& conn) {
      pqxx::work tx(conn);
      tx.exec_params("INSERT INTO audience_sizes (audience_id, computed_at, size) VALUES ($1, $2::timestamptz, $3) "
                     "ON CONFLICT (audience_id, computed_at) DO UPDATE SET size = EXCLUDED.size",
                     id, computed_at, size);
      tx.commit();
    });
  });
}

std::vector<AudienceSize> PgAudienceRepository::history(std::int64_t id, int limit) {
  return translated([&] {
    return pool_.with_connection([&](pqxx::connection& conn) {
      pqxx::nontransaction tx(conn);
      const auto r = tx.exec_params(
          "SELECT computed_at, size FROM audience_sizes WHERE audience_id = $1 ORDER BY computed_at DESC LIMIT $2",
          id, limit);
      std::vector<AudienceSize> out;
      for (const auto& row : r) out.push_back({pg_timestamp_to_iso(row[0].c_str()), row[1].as<std::int64_t>()});
      return out;
    });
  });
}

}  // namespace promptsales::ads
