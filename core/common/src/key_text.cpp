#include "promptsales/common/key_text.hpp"

#include <openssl/crypto.h>

#include <cctype>
#include <fstream>
#include <sstream>

#include "promptsales/common/errors.hpp"

namespace promptsales {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

KeyBytes parse_hex_key(std::string_view hex, std::string_view source, std::string_view what) {
  while (!hex.empty() && std::isspace(static_cast<unsigned char>(hex.front()))) hex.remove_prefix(1);
  while (!hex.empty() && std::isspace(static_cast<unsigned char>(hex.back()))) hex.remove_suffix(1);
  const auto prefix = std::string(source) + ": a " + std::string(what) + " is 64 hex characters ";
  if (hex.size() != 64) {
    throw ConfigError(prefix + "(32 bytes); found " + std::to_string(hex.size()) + " characters");
  }
  KeyBytes bytes{};
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const int hi = hex_value(hex[2 * i]);
    const int lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      wipe_key(bytes);
      throw ConfigError(prefix + "(0-9, a-f); found another character");
    }
    bytes[i] = static_cast<std::uint8_t>(hi * 16 + lo);
  }
  return bytes;
}

KeyBytes read_hex_key_file(const std::string& path, std::string_view label, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(std::string(label) + " '" + path + "': cannot read it");
  std::ostringstream text;
  text << in.rdbuf();
  std::string s = text.str();
  if (s.size() > 1024) {
    OPENSSL_cleanse(s.data(), s.size());
    throw ConfigError(std::string(label) + " '" + path + "' is too large to hold one key");
  }
  try {
    auto bytes = parse_hex_key(s, std::string(label) + " '" + path + "'", what);
    OPENSSL_cleanse(s.data(), s.size());
    return bytes;
  } catch (...) {
    OPENSSL_cleanse(s.data(), s.size());
    throw;
  }
}

void wipe_key(KeyBytes& bytes) noexcept { OPENSSL_cleanse(bytes.data(), bytes.size()); }

}  // namespace promptsales
