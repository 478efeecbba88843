#pragma once
/// UTF-8 text checks shared by every context's validation.

#include <cstddef>
#include <optional>
#include <string_view>

namespace promptsales {

/// Number of Unicode characters in `s` (what PostgreSQL's length() counts),
/// or nullopt if `s` is not valid UTF-8 or holds a NUL byte.
std::optional<std::size_t> utf8_length(std::string_view s);

}  // namespace promptsales
