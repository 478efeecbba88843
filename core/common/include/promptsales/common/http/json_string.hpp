#pragma once
/// A JSON string escaper, so error bodies need no JSON library.

#include <string>
#include <string_view>

namespace promptsales::http {

/// Appends `text` to `out` as a quoted JSON string. Control characters, `"`
/// and `\` are escaped; invalid UTF-8 becomes U+FFFD so the output is always
/// valid JSON; U+2028/U+2029 are escaped so the text is also safe in JavaScript.
void append_json_string(std::string& out, std::string_view text);

/// `text` as a quoted JSON string.
std::string json_string(std::string_view text);

}  // namespace promptsales::http
