#pragma once
// bytea parameters travel as hex text (`decode($n, 'hex')`), which also
// carries NULL through std::optional; results are read with binarystring.
#include <optional>
#include <string>
#include <string_view>

#include <pqxx/pqxx>

#include "promptsales/common/hash.hpp"

namespace promptsales::crypto {

inline std::string to_hex(std::string_view bytes) { return hex_encode(bytes); }

inline std::optional<std::string> optional_hex(const std::optional<std::string>& bytes) {
  if (!bytes) return std::nullopt;
  return to_hex(*bytes);
}

inline std::string bytes_of(const pqxx::field& f) { return pqxx::binarystring(f).str(); }

inline std::optional<std::string> optional_bytes_of(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return bytes_of(f);
}

}  // namespace promptsales::crypto
