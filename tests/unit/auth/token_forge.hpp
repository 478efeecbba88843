#pragma once
// Builds tokens the way an attacker (or a misconfigured provider) might:
// any header, any payload, signed with RS256 or HS256 by OpenSSL directly,
// independently of the JWT library under test.

#include <string>

#include <nlohmann/json.hpp>

namespace promptsales::test {

std::string b64url(const std::string& bytes);
/// header.payload signed with RSA-SHA256 using `private_pem`.
std::string forge_rs256(const nlohmann::json& header, const nlohmann::json& payload, const std::string& private_pem);
/// header.payload signed with HMAC-SHA256 using `secret` (e.g. the public PEM).
std::string forge_hs256(const nlohmann::json& header, const nlohmann::json& payload, const std::string& secret);
/// header.payload. with an empty or given signature part.
std::string forge_unsigned(const nlohmann::json& header, const nlohmann::json& payload, const std::string& sig = "");

}  // namespace promptsales::test
