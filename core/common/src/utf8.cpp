#include "promptsales/common/utf8.hpp"

namespace promptsales {

std::optional<std::size_t> utf8_length(std::string_view s) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = 1;
    if (c >= 0x80) {
      if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
      } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
      } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
      } else {
        return std::nullopt;
      }
      if (i + len > s.size()) return std::nullopt;
      for (std::size_t k = 1; k < len; ++k) {
        if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return std::nullopt;
      }
      // Overlong 3-byte forms and UTF-16 surrogates.
      const auto c1 = static_cast<unsigned char>(s[i + 1]);
      if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 >= 0xA0) || (c == 0xF0 && c1 < 0x90) ||
          (c == 0xF4 && c1 >= 0x90)) {
        return std::nullopt;
      }
    } else if (c == 0) {
      return std::nullopt;  // PostgreSQL text cannot hold NUL
    }
    i += len;
    ++count;
  }
  return count;
}

}  // namespace promptsales
