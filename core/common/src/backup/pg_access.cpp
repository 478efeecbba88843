#include "pg_access.hpp"

#include "promptsales/common/config.hpp"
#include "promptsales/common/errors.hpp"
#include "promptsales/common/registry.hpp"

namespace promptsales::backup::detail {
namespace {

std::string percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out.push_back(static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// Extension members (pg_dump does not dump their rows) and system schemas are not user tables.
constexpr const char* kUserTables =
    "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
    "AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%' "
    "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass "
    "AND d.objid = c.oid AND d.deptype = 'e') ORDER BY 1, 2";

}  // namespace

std::unique_ptr<pqxx::connection> connect(const std::string& url) {
  try {
    return std::make_unique<pqxx::connection>(url);
  } catch (const pqxx::broken_connection& e) {
    throw Unavailable("cannot connect to " + mask_url_password(url) + ": " + e.what());
  }
}

std::vector<InstallationDatabase> installation_databases(const std::string& control_url) {
  std::vector<InstallationDatabase> out{{"control", "control", control_url}};
  auto control = connect(control_url);
  {
    pqxx::nontransaction tx(*control);
    if (tx.exec("SELECT to_regclass('subcompanies') IS NULL")[0][0].as<bool>()) return out;
  }
  SubcompanyRegistry registry(control_url);
  for (const auto& s : registry.list(*control)) {
    if (s.enabled) out.push_back({s.code, s.kind, s.url});
  }
  return out;
}

PgLogin split_password(const std::string& url) {
  const auto scheme = url.find("://");
  if (scheme != std::string::npos) {
    const auto auth_start = scheme + 3;
    const auto auth_end = url.find_first_of("/?", auth_start);
    const auto at = url.rfind('@', auth_end == std::string::npos ? url.size() : auth_end);
    if (at == std::string::npos || at < auth_start) return {url, {}};
    const auto colon = url.find(':', auth_start);
    if (colon == std::string::npos || colon > at) return {url, {}};
    return {url.substr(0, colon) + url.substr(at), percent_decode(std::string_view(url).substr(colon + 1, at - colon - 1))};
  }
  // key=value form: drop a "password=..." word (quoted values are not split here).
  const auto pos = url.find("password=");
  if (pos == std::string::npos || (pos > 0 && url[pos - 1] != ' ')) return {url, {}};
  auto end = url.find(' ', pos);
  if (end == std::string::npos) end = url.size();
  const auto password = url.substr(pos + 9, end - pos - 9);
  return {url.substr(0, pos) + (end < url.size() ? url.substr(end + 1) : std::string()), password};
}

std::map<std::string, std::string> password_env(const PgLogin& login) {
  if (login.password.empty()) return {};
  return {{"PGPASSWORD", login.password}};
}

std::vector<std::string> user_tables(pqxx::transaction_base& tx) {
  std::vector<std::string> out;
  for (const auto& row : tx.exec(kUserTables)) out.push_back(row[0].as<std::string>() + "." + row[1].as<std::string>());
  return out;
}

std::string quoted_table(pqxx::transaction_base& tx, const std::string& qualified) {
  const auto dot = qualified.find('.');
  return tx.quote_name(qualified.substr(0, dot)) + "." + tx.quote_name(qualified.substr(dot + 1));
}

std::map<std::string, std::int64_t> count_rows(pqxx::transaction_base& tx) {
  std::map<std::string, std::int64_t> out;
  for (const auto& t : user_tables(tx)) {
    out[t] = tx.exec("SELECT count(*) FROM ONLY " + quoted_table(tx, t))[0][0].as<std::int64_t>();
  }
  return out;
}

std::vector<std::string> applied_migrations(pqxx::transaction_base& tx) {
  std::vector<std::string> out;
  if (tx.exec("SELECT to_regclass('schema_migrations') IS NULL")[0][0].as<bool>()) return out;
  for (const auto& row : tx.exec("SELECT name FROM schema_migrations ORDER BY version")) {
    out.push_back(row[0].as<std::string>());
  }
  return out;
}

}  // namespace promptsales::backup::detail
