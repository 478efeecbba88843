#pragma once
/// Helpers for end-to-end tests of the promptsales binary: reading its
/// `--output json` stdout and describing a run in failure messages.
/// Header-only (needs Catch2 and nlohmann/json).

#include <sstream>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "test_env.hpp"

namespace promptsales::test {

/// "exit N, stdout: ..., stderr: ..." for INFO/CAPTURE.
inline std::string describe(const CommandResult& r) {
  std::ostringstream s;
  s << "exit " << r.exit_code << "\n--- stdout ---\n" << r.out << "--- stderr ---\n" << r.err;
  return s.str();
}

/// The JSON document on stdout. The contract of `--output json` is that
/// stdout holds exactly one JSON document (logs go to stderr), which is
/// checked here. So that one broken run does not hide every other check,
/// when stdout is not a single document the last line that parses as JSON
/// is returned (after recording the failure).
inline nlohmann::json stdout_json(const CommandResult& r) {
  const auto whole = nlohmann::json::parse(r.out, nullptr, false);
  {
    INFO("with --output json, stdout must be exactly one JSON document\n" << describe(r));
    CHECK_FALSE(whole.is_discarded());
  }
  if (!whole.is_discarded()) return whole;
  std::istringstream lines(r.out);
  nlohmann::json last = nlohmann::json::value_t::discarded;
  for (std::string line; std::getline(lines, line);) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_discarded()) last = std::move(j);
  }
  INFO(describe(r));
  REQUIRE_FALSE(last.is_discarded());
  return last;
}

}  // namespace promptsales::test
