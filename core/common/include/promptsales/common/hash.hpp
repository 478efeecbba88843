#pragma once
/// Cryptographic digests (OpenSSL) as lowercase hex.

#include <string>
#include <string_view>

namespace promptsales {

/// `bytes` as lowercase hex, two characters per byte.
std::string hex_encode(std::string_view bytes);

/// SHA-256 of `data`, 64 lowercase hex characters.
std::string sha256_hex(std::string_view data);

}  // namespace promptsales
