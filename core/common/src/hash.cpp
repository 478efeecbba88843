#include "promptsales/common/hash.hpp"

#include <openssl/sha.h>

namespace promptsales {

std::string sha256_hex(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(2 * SHA256_DIGEST_LENGTH, '0');
  for (int i = 0; i < SHA256_DIGEST_LENGTH; ++i) {
    out[2 * static_cast<std::size_t>(i)] = kHex[digest[i] >> 4];
    out[2 * static_cast<std::size_t>(i) + 1] = kHex[digest[i] & 0xF];
  }
  return out;
}

}  // namespace promptsales
