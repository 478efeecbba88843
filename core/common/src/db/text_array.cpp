#include "promptsales/common/db/text_array.hpp"

namespace promptsales::db {

std::vector<std::string> parse_text_array(std::string_view s) {
  std::vector<std::string> out;
  std::string item;
  for_each_text_array_element(s, item, [&](std::string_view element) { out.emplace_back(element); });
  return out;
}

std::string to_text_array(const std::vector<std::string>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out.push_back(',');
    out.push_back('"');
    for (char c : values[i]) {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    out.push_back('"');
  }
  out.push_back('}');
  return out;
}

}  // namespace promptsales::db
