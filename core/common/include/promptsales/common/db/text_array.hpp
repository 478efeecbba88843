#pragma once
/// PostgreSQL text[] values as text: bind parameters are sent as array
/// literals (`$n::text[]`) and results read back from them.

#include <string>
#include <string_view>
#include <vector>

namespace promptsales::db {

/// Calls `f(std::string_view element)` for each element of a text[] literal
/// as PostgreSQL prints it ("{a,\"b c\"}"), unquoted and unescaped into
/// `item` (reused across elements, so a caller can avoid allocating).
/// Anything that is not a `{...}` literal has no elements.
template <class F>
void for_each_text_array_element(std::string_view s, std::string& item, F&& f) {
  if (s.size() < 2 || s.front() != '{' || s.back() != '}') return;
  s = s.substr(1, s.size() - 2);
  std::size_t i = 0;
  while (i < s.size()) {
    item.clear();
    if (s[i] == '"') {
      ++i;
      while (i < s.size() && s[i] != '"') {
        if (s[i] == '\\' && i + 1 < s.size()) ++i;
        item.push_back(s[i++]);
      }
      ++i;  // closing quote
    } else {
      while (i < s.size() && s[i] != ',') item.push_back(s[i++]);
    }
    f(std::string_view(item));
    if (i < s.size() && s[i] == ',') ++i;
  }
}

/// Elements of a text[] literal as PostgreSQL prints it ("{a,\"b c\"}").
std::vector<std::string> parse_text_array(std::string_view literal);
/// A text[] literal with every element quoted and escaped.
std::string to_text_array(const std::vector<std::string>& values);

}  // namespace promptsales::db
