#pragma once
/// Small text helpers private to the lead readers.

#include <cstddef>
#include <string>
#include <string_view>

namespace promptsales::crm::detail {

/// Length of the longest prefix of s[0, n) that is at most `max` bytes and
/// ends on a UTF-8 character boundary (for values in error reports).
std::size_t utf8_prefix_length(const char* s, std::size_t n, std::size_t max) noexcept;

/// `s` cut to at most 200 bytes on a character boundary (RowError::value).
inline std::string report_value(std::string_view s) {
  return std::string(s.substr(0, utf8_prefix_length(s.data(), s.size(), 200)));
}

/// Without leading and trailing ASCII blanks (space, TAB, CR, LF).
inline std::string_view trim_blanks(std::string_view s) {
  auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace promptsales::crm::detail
