#include "promptsales/common/jobs/job_params.hpp"

#include <algorithm>
#include <charconv>

#include "promptsales/common/errors.hpp"

namespace promptsales::jobs {
namespace {

std::optional<std::int64_t> to_integer(const std::string& s) {
  std::int64_t v = 0;
  const auto* end = s.data() + s.size();
  const auto r = std::from_chars(s.data(), end, v);
  if (s.empty() || r.ec != std::errc() || r.ptr != end) return std::nullopt;
  return v;
}

std::optional<bool> to_bool(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (s == "true" || s == "1" || s == "yes" || s == "on") return true;
  if (s == "false" || s == "0" || s == "no" || s == "off") return false;
  return std::nullopt;
}

std::string normalize(const std::string& job, const ParamSpec& spec, const std::string& value) {
  const std::string field = "param " + spec.name;
  switch (spec.kind) {
    case ParamKind::integer: {
      const auto v = to_integer(value);
      if (!v) throw ValidationError(field, "'" + value + "' is not an integer (job " + job + ")");
      if (*v < spec.min || *v > spec.max) {
        throw ValidationError(field, "must be " + std::to_string(spec.min) + "-" + std::to_string(spec.max) +
                                         ", got " + value + " (job " + job + ")");
      }
      return std::to_string(*v);
    }
    case ParamKind::boolean: {
      const auto v = to_bool(value);
      if (!v) throw ValidationError(field, "'" + value + "' is not true or false (job " + job + ")");
      return *v ? "true" : "false";
    }
    case ParamKind::text:
      if (value.size() > 1000) throw ValidationError(field, "longer than 1000 characters (job " + job + ")");
      return value;
  }
  return value;
}

}  // namespace

std::optional<std::int64_t> JobParams::integer(const std::string& name) const {
  const auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return to_integer(it->second);
}

bool JobParams::boolean(const std::string& name) const {
  const auto it = values_.find(name);
  return it != values_.end() && it->second == "true";
}

std::optional<std::string> JobParams::text(const std::string& name) const {
  const auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

nlohmann::json JobParams::to_json() const {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, v] : values_) j[k] = v;
  return j;
}

JobParams validate_params(const std::string& job, const std::vector<ParamSpec>& specs,
                          const std::map<std::string, std::string>& raw) {
  JobParams out;
  for (const auto& [name, value] : raw) {
    const auto it = std::find_if(specs.begin(), specs.end(), [&](const ParamSpec& s) { return s.name == name; });
    if (it == specs.end()) {
      std::string accepted;
      for (const auto& s : specs) accepted += (accepted.empty() ? "" : ", ") + s.name;
      throw ValidationError("param " + name, "job " + job + " does not accept it (accepted: " +
                                                 (accepted.empty() ? "none" : accepted) + ")");
    }
    out.values_[name] = normalize(job, *it, value);
  }
  for (const auto& spec : specs) {
    if (!out.values_.count(spec.name) && spec.default_value) {
      out.values_[spec.name] = normalize(job, spec, *spec.default_value);
    }
  }
  return out;
}

std::pair<std::string, std::string> parse_param_assignment(const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos) throw ValidationError("--param", "'" + text + "' is not key=value");
  auto key = text.substr(0, eq);
  if (key.empty()) throw ValidationError("--param", "'" + text + "' has an empty key");
  return {std::move(key), text.substr(eq + 1)};
}

std::map<std::string, std::string> params_from_json(const nlohmann::json& j) {
  std::map<std::string, std::string> out;
  if (j.is_null()) return out;
  if (!j.is_object()) throw ValidationError("params", "must be a JSON object");
  for (const auto& [k, v] : j.items()) {
    if (v.is_string()) {
      out[k] = v.get<std::string>();
    } else if (v.is_boolean() || v.is_number()) {
      out[k] = v.dump();
    } else {
      throw ValidationError("param " + k, "must be a string, number or boolean");
    }
  }
  return out;
}

}  // namespace promptsales::jobs
