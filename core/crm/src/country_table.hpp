#pragma once
/// Lookups in the country tables (country_table.cpp), private to validation.

#include <cstddef>
#include <optional>
#include <string_view>

namespace promptsales::crm {

struct CallingCode {
  std::string_view alpha2;
  int code;
  bool trunk0;  ///< national numbers carry a leading 0 dropped internationally
};

namespace detail {
const CallingCode* find_calling_code(std::string_view alpha2) noexcept;
/// A country name in header_key form ("espana") -> its code.
std::optional<std::string_view> country_code_for_name(std::string_view key) noexcept;
std::size_t country_code_count() noexcept;
}  // namespace detail

}  // namespace promptsales::crm
