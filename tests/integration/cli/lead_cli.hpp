#pragma once
// Shared by the lead CLI tests: an installation's environment with a fixed
// data key, one-number SQL queries, and reading a file whole.
#include <fstream>
#include <iterator>
#include <map>
#include <string>

#include <pqxx/pqxx>

#include "test_env.hpp"

namespace promptsales::test {

inline constexpr const char* kLeadTestKey = "7f3c0a9e5b21d4c68e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f";

/// The installation's environment, no config file, and a data key.
inline std::map<std::string, std::string> lead_env(const TestInstallation& inst) {
  auto e = inst.env();
  e["PROMPTSALES_CONFIG"] = "";
  e["PROMPTSALES_DATA_KEY"] = kLeadTestKey;
  return e;
}

/// The first column of the first row as a number (0 for no row or NULL).
inline long long query(const std::string& url, const std::string& sql) {
  pqxx::connection c(url);
  pqxx::nontransaction tx(c);
  const auto r = tx.exec(sql);
  return r.empty() || r[0][0].is_null() ? 0 : r[0][0].as<long long>();
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace promptsales::test
