#pragma once
/// 32-byte keys written as 64 hex characters, in the environment or a
/// mounted secret file: the data key, the backup key. Errors name where the
/// key came from and what is wrong with it, never the value.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace promptsales {

using KeyBytes = std::array<std::uint8_t, 32>;

/// Parses 64 hex characters (surrounding whitespace allowed). ConfigError
/// "<source>: a <what> is 64 hex characters ..." otherwise.
KeyBytes parse_hex_key(std::string_view hex, std::string_view source, std::string_view what);

/// Reads a key file (at most 1 KiB) and parses it; the text read is wiped.
/// ConfigError "<label> '<path>': cannot read it | too large to hold one key".
KeyBytes read_hex_key_file(const std::string& path, std::string_view label, std::string_view what);

/// Overwrites key material so it does not linger in freed memory.
void wipe_key(KeyBytes& bytes) noexcept;

}  // namespace promptsales
