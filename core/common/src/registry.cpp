#include "promptsales/common/registry.hpp"

#include <algorithm>
#include <regex>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "promptsales/common/db/migrations.hpp"
#include "promptsales/common/db/url.hpp"
#include "promptsales/common/errors.hpp"
#include "promptsales/common/utf8.hpp"

namespace promptsales {
namespace {

constexpr const char* kSelect =
    "SELECT id, code, name, kind, database, branding::text, endpoints::text, policies::text, enabled "
    "FROM subcompanies ";

Subcompany from_row(const pqxx::row& r, const std::string& control_url) {
  Subcompany s;
  s.id = r[0].as<long long>();
  s.code = r[1].as<std::string>();
  s.name = r[2].as<std::string>();
  s.kind = r[3].as<std::string>();
  s.location = r[4].as<std::string>();
  s.url = db::resolve_location(s.location, control_url);
  s.branding = r[5].as<std::string>();
  s.endpoints = r[6].as<std::string>();
  s.policies = r[7].as<std::string>();
  s.enabled = r[8].as<bool>();
  return s;
}

void require_json_object(const std::string& field, const std::string& text) {
  const auto parsed = nlohmann::json::parse(text, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) throw ValidationError(field, "must be a JSON object");
}

}  // namespace

std::vector<Subcompany> SubcompanyRegistry::list(pqxx::connection& control) const {
  pqxx::nontransaction tx(control);
  std::vector<Subcompany> out;
  for (const auto& r : tx.exec(std::string(kSelect) + "ORDER BY id")) out.push_back(from_row(r, control_url_));
  return out;
}

Subcompany SubcompanyRegistry::locate(pqxx::connection& control, std::string_view kind) const {
  pqxx::nontransaction tx(control);
  const auto r = tx.exec_params(std::string(kSelect) + "WHERE kind = $1 AND enabled", std::string(kind));
  if (r.empty()) {
    throw ConfigError("no enabled sub-company of kind '" + std::string(kind) +
                      "' in the registry; run `promptsales db migrate` or `promptsales subcompany register`");
  }
  return from_row(r[0], control_url_);
}

Subcompany SubcompanyRegistry::add(pqxx::connection& control, const NewSubcompany& s) const {
  static const std::regex code_re("^[a-z][a-z0-9_]{1,39}$");
  if (!std::regex_match(s.code, code_re)) {
    throw ValidationError("code", "must be 2-40 lowercase letters, digits or _, starting with a letter");
  }
  const auto name_length = utf8_length(s.name);
  if (!name_length || *name_length == 0 || *name_length > 120) {
    throw ValidationError("name", "must be 1-120 characters of valid UTF-8");
  }
  const auto kinds = db::migration_kinds();
  if (s.kind == "control" || std::find(kinds.begin(), kinds.end(), s.kind) == kinds.end()) {
    std::string known;
    for (const auto& k : kinds) {
      if (k != "control") known += (known.empty() ? "" : ", ") + k;
    }
    throw ValidationError("kind", "'" + s.kind + "' has no schema in this version (known: " + known + ")");
  }
  if (s.location.empty()) throw ValidationError("database", "is required");
  try {
    db::resolve_location(s.location, control_url_);
  } catch (const ConfigError& e) {
    throw ValidationError("database", e.what());
  }
  require_json_object("branding", s.branding);
  require_json_object("endpoints", s.endpoints);
  require_json_object("policies", s.policies);
  try {
    pqxx::work tx(control);
    const auto r = tx.exec_params(
        "INSERT INTO subcompanies (code, name, kind, database, branding, endpoints, policies) "
        "VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7::jsonb) "
        "RETURNING id, code, name, kind, database, branding::text, endpoints::text, policies::text, enabled",
        s.code, s.name, s.kind, s.location, s.branding, s.endpoints, s.policies);
    tx.commit();
    return from_row(r[0], control_url_);
  } catch (const pqxx::unique_violation&) {
    throw Conflict("sub-company '" + s.code + "' or an enabled sub-company of kind '" + s.kind + "' already exists");
  }
}

}  // namespace promptsales
