#pragma once
/// A job's parameters: what it declares it accepts, and the validated
/// values the runner hands it. Text in (`--param k=v`, queue rows), typed
/// values out; bad input is a ValidationError naming the parameter.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace promptsales::jobs {

enum class ParamKind { integer, boolean, text };

struct ParamSpec {
  std::string name;  ///< e.g. "days", "dry-run"
  ParamKind kind = ParamKind::text;
  std::string description;
  std::optional<std::string> default_value;  ///< used when absent; none: absent stays absent
  std::int64_t min = 0;                      ///< integers only
  std::int64_t max = INT64_MAX;
};

/// Validated parameters, normalized ("true"/"false", decimal integers).
class JobParams {
 public:
  bool has(const std::string& name) const { return values_.count(name) != 0; }
  std::optional<std::int64_t> integer(const std::string& name) const;
  bool boolean(const std::string& name) const;  ///< false when absent
  std::optional<std::string> text(const std::string& name) const;
  const std::map<std::string, std::string>& values() const noexcept { return values_; }
  nlohmann::json to_json() const;

 private:
  friend JobParams validate_params(const std::string&, const std::vector<ParamSpec>&,
                                   const std::map<std::string, std::string>&);
  std::map<std::string, std::string> values_;
};

/// Checks `raw` against `specs` of job `job`: refuses unknown names (listing
/// the accepted ones), malformed or out-of-range values; applies defaults.
/// Throws ValidationError with field "param <name>".
JobParams validate_params(const std::string& job, const std::vector<ParamSpec>& specs,
                          const std::map<std::string, std::string>& raw);

/// Parses "k=v" (the CLI's --param); throws ValidationError on a missing '='
/// or an empty key.
std::pair<std::string, std::string> parse_param_assignment(const std::string& text);

/// A queue row's params (a JSON object of strings, numbers or booleans) as text.
std::map<std::string, std::string> params_from_json(const nlohmann::json& j);

}  // namespace promptsales::jobs
