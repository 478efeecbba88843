#include "promptsales/common/organizations.hpp"

#include <pqxx/pqxx>

#include "promptsales/common/db/pool.hpp"
#include "promptsales/common/errors.hpp"
#include "promptsales/common/utf8.hpp"
#include "promptsales/common/time.hpp"

namespace promptsales {
namespace {

Organization from_row(const pqxx::row& r) {
  Organization o;
  o.id = r[0].as<std::int64_t>();
  o.name = r[1].as<std::string>();
  if (!r[2].is_null()) o.country = r[2].as<std::string>();
  o.enabled = r[3].as<bool>();
  o.created_at = pg_timestamp_to_iso(r[4].c_str());
  return o;
}

}  // namespace

bool PgOrganizations::exists(std::int64_t id) {
  return control_.with_connection([&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);
    return !tx.exec_params("SELECT 1 FROM organizations WHERE id = $1", id).empty();
  });
}

Organization PgOrganizations::create(const std::string& name, const std::optional<std::string>& country) {
  const auto first = name.find_first_not_of(" \t");
  const auto last = name.find_last_not_of(" \t");
  const auto length = first == std::string::npos ? std::optional<std::size_t>(0)
                                                 : utf8_length(std::string_view(name).substr(first, last - first + 1));
  if (!length || *length == 0 || *length > 120) throw ValidationError("name", "must be 1-120 characters of valid UTF-8");
  if (country && (country->size() != 2 || !std::isupper(static_cast<unsigned char>((*country)[0])) ||
                  !std::isupper(static_cast<unsigned char>((*country)[1])))) {
    throw ValidationError("country", "'" + *country + "' is not an ISO 3166-1 alpha-2 code like ES or US");
  }
  auto lease = control_.acquire();
  pqxx::work tx(*lease);
  const auto r = tx.exec_params(
      "INSERT INTO organizations (name, country) VALUES ($1, $2) RETURNING id, name, country, enabled, created_at",
      name, country);
  tx.commit();
  return from_row(r[0]);
}

std::vector<Organization> PgOrganizations::list(int limit, int offset) {
  auto lease = control_.acquire();
  pqxx::nontransaction tx(*lease);
  std::vector<Organization> out;
  for (const auto& r : tx.exec_params(
           "SELECT id, name, country, enabled, created_at FROM organizations ORDER BY id LIMIT $1 OFFSET $2", limit,
           offset)) {
    out.push_back(from_row(r));
  }
  return out;
}

}  // namespace promptsales
