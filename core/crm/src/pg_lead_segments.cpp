#include "promptsales/crm/pg_lead_segments.hpp"

#include <pqxx/pqxx>

#include "promptsales/common/db/errors.hpp"
#include "promptsales/common/db/pool.hpp"
#include "promptsales/common/db/text_array.hpp"
#include "promptsales/common/errors.hpp"

namespace promptsales::crm {
namespace {

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

std::int64_t PgLeadSegments::count(std::int64_t organization_id, const LeadCriteria& c) {
  const auto p = lead_predicate(organization_id, c);
  return translated([&] {
    return pool_.with_connection([&](pqxx::connection& conn) {
      pqxx::nontransaction tx(conn);
      return tx.exec_params1("SELECT count(*) FROM leads WHERE " + p.where,
                             pqxx::prepare::make_dynamic_params(p.params))[0]
          .as<std::int64_t>();
    });
  });
}

std::int64_t PgLeadSegments::materialize(std::int64_t audience_id, std::int64_t organization_id,
                                         const LeadCriteria& c) {
  auto p = lead_predicate(organization_id, c);
  p.params.push_back(std::to_string(audience_id));
  const std::string audience = "$" + std::to_string(p.params.size()) + "::bigint";
  return translated([&] {
    return pool_.with_connection([&](pqxx::connection& conn) {
      pqxx::work tx(conn);
      tx.exec_params("DELETE FROM audience_members WHERE audience_id = $1", audience_id);
      const auto r = tx.exec_params("INSERT INTO audience_members (audience_id, lead_id) SELECT " + audience +
                                        ", id FROM leads WHERE " + p.where,
                                    pqxx::prepare::make_dynamic_params(p.params));
      tx.commit();
      return static_cast<std::int64_t>(r.affected_rows());
    });
  });
}

std::vector<std::int64_t> PgLeadSegments::members(std::int64_t audience_id, std::int64_t limit, std::int64_t offset) {
  return translated([&] {
    return pool_.with_connection([&](pqxx::connection& conn) {
      pqxx::nontransaction tx(conn);
      const auto r = tx.exec_params(
          "SELECT lead_id FROM audience_members WHERE audience_id = $1 ORDER BY lead_id LIMIT $2 OFFSET $3",
          audience_id, limit, offset);
      std::vector<std::int64_t> out;
      out.reserve(r.size());
      for (const auto& row : r) out.push_back(row[0].as<std::int64_t>());
      return out;
    });
  });
}

std::int64_t PgLeadSegments::forget_audiences_except(const std::vector<std::int64_t>& live_ids) {
  std::vector<std::string> ids;
  ids.reserve(live_ids.size());
  for (auto id : live_ids) ids.push_back(std::to_string(id));
  return translated([&] {
    return pool_.with_connection([&](pqxx::connection& conn) {
      pqxx::work tx(conn);
      const auto r = tx.exec_params("DELETE FROM audience_members WHERE NOT (audience_id = ANY($1::bigint[]))",
                                    db::to_text_array(ids));
      tx.commit();
      return static_cast<std::int64_t>(r.affected_rows());
    });
  });
}

}  // namespace promptsales::crm
