#pragma once
// Reading request bodies field by field: every wrong type is a
// ValidationError naming the field. Shared by the campaign and audience JSON.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "promptsales/common/errors.hpp"

namespace promptsales::ads::json_fields {

using nlohmann::json;

inline json parse_object(std::string_view body) {
  json j = json::parse(body.begin(), body.end(), nullptr, false);
  if (j.is_discarded()) throw ValidationError("body", "is not valid JSON");
  if (!j.is_object()) throw ValidationError("body", "must be a JSON object");
  return j;
}

inline std::string get_string(const json& v, const char* field) {
  if (!v.is_string()) throw ValidationError(field, "must be a string");
  return v.get<std::string>();
}

inline bool get_bool(const json& v, const char* field) {
  if (!v.is_boolean()) throw ValidationError(field, "must be true or false");
  return v.get<bool>();
}

inline std::vector<std::string> get_string_list(const json& v, const char* field) {
  if (!v.is_array()) throw ValidationError(field, "must be an array of strings");
  std::vector<std::string> out;
  for (const auto& item : v) {
    if (!item.is_string()) throw ValidationError(field, "must be an array of strings");
    out.push_back(item.get<std::string>());
  }
  return out;
}

inline std::optional<std::string> get_nullable_string(const json& v, const char* field) {
  if (v.is_null()) return std::nullopt;
  return get_string(v, field);
}

inline std::int64_t get_id(const json& v, const char* field) {
  if (v.is_number_unsigned() || v.is_number_integer()) return v.get<std::int64_t>();
  throw ValidationError(field, "must be an integer");
}

}  // namespace promptsales::ads::json_fields
