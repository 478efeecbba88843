#pragma once
// Base64url without padding (RFC 4648 section 5), as JOSE uses it.

#include <optional>
#include <string>
#include <string_view>

namespace promptsales::auth {

std::string base64url_encode(std::string_view bytes);
/// nullopt for characters outside the alphabet, padding, or an impossible length.
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace promptsales::auth
