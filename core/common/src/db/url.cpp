#include "promptsales/common/db/url.hpp"

#include <regex>

#include "promptsales/common/errors.hpp"

namespace promptsales::db {
namespace {

bool is_uri(std::string_view url) {
  return url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0;
}

// Splits a URI into [prefix up to and incl. authority]["/db"][?query].
struct UriParts {
  std::string authority;  // scheme://user@host:port
  std::string database;
  std::string query;      // including '?', or empty
};

UriParts split_uri(std::string_view url) {
  const auto scheme_end = url.find("://") + 3;
  const auto path = url.find('/', scheme_end);
  const auto q = url.find('?', scheme_end);
  UriParts p;
  if (path == std::string_view::npos || (q != std::string_view::npos && q < path)) {
    p.authority = std::string(url.substr(0, q));
    if (q != std::string_view::npos) p.query = std::string(url.substr(q));
    return p;
  }
  p.authority = std::string(url.substr(0, path));
  const auto db_end = q == std::string_view::npos ? url.size() : q;
  p.database = std::string(url.substr(path + 1, db_end - path - 1));
  if (q != std::string_view::npos) p.query = std::string(url.substr(q));
  return p;
}

}  // namespace

std::string database_name(std::string_view url) {
  if (is_uri(url)) return split_uri(url).database;
  static const std::regex kv(R"((^|\s)dbname\s*=\s*('([^']*)'|(\S+)))");
  std::cmatch m;
  const std::string s(url);
  if (std::regex_search(s.c_str(), m, kv)) return m[3].matched ? m[3].str() : m[4].str();
  return {};
}

std::string with_database(std::string_view url, std::string_view database) {
  if (is_uri(url)) {
    auto p = split_uri(url);
    return p.authority + "/" + std::string(database) + p.query;
  }
  static const std::regex kv(R"((^|\s)dbname\s*=\s*('[^']*'|\S+))");
  const std::string s(url);
  const std::string replacement = "$1dbname=" + std::string(database);
  if (std::regex_search(s, kv)) return std::regex_replace(s, kv, replacement);
  return s + (s.empty() ? "" : " ") + "dbname=" + std::string(database);
}

std::string resolve_location(std::string_view location, std::string_view control_url) {
  if (is_uri(location) || location.find('=') != std::string_view::npos) return std::string(location);
  std::string name(location);
  const auto placeholder = name.find("{control}");
  if (placeholder != std::string::npos) name.replace(placeholder, 9, database_name(control_url));
  if (!is_plain_identifier(name)) {
    throw ConfigError("registry database location '" + std::string(location) +
                      "' is neither a URL nor a plain database name");
  }
  return with_database(control_url, name);
}

bool is_plain_identifier(std::string_view name) {
  if (name.empty() || name.size() > 63) return false;
  if (!(std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_')) return false;
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  }
  return true;
}

}  // namespace promptsales::db
