#pragma once
/// Minimal, fast JSON string escaping for hand-built JSON on hot paths
/// (responses of the campaign page, log lines).

#include <string>
#include <string_view>

namespace promptsales {

/// Appends `s` as a quoted JSON string. Control characters are escaped;
/// invalid UTF-8 bytes are replaced by U+FFFD so the output is always valid.
void append_json_string(std::string& out, std::string_view s);

}  // namespace promptsales
