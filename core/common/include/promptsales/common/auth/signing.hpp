#pragma once
/// RSA keys and RS256 signing for local development and tests, where no
/// identity provider runs: `promptsales auth keygen` and `auth token --dev`.
/// Production tokens come from the identity provider; servers only verify.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace promptsales::auth {

struct RsaKeyPair {
  std::string private_pem;  ///< PKCS#8 PEM: a secret, write it 0600
  nlohmann::json public_jwk(const std::string& kid) const;
  std::string public_pem;
  /// RFC 7638 thumbprint (base64url SHA-256): a stable key id.
  std::string thumbprint;
};

/// A new RSA key (2048 bits or more).
RsaKeyPair generate_rsa_key(int bits = 2048);
/// The key pair of a private PEM (as written by keygen). ConfigError if invalid.
RsaKeyPair load_rsa_key(const std::string& private_pem);

/// A JWKS document holding the public halves of `keys`, each with its
/// thumbprint as kid.
nlohmann::json jwks_of(const std::vector<RsaKeyPair>& keys);

/// The PEM public key of a JWK with kty RSA (n, e). ConfigError naming the
/// problem otherwise.
std::string rsa_public_pem(const nlohmann::json& jwk);

struct TokenClaims {
  std::string subject{};
  std::string issuer{};
  std::string audience{};
  std::optional<std::int64_t> organization_id{};
  std::vector<std::string> permissions{};
  std::chrono::seconds lifetime{3600};
  std::string organization_claim = "org_id";
  std::string permissions_claim = "permissions";
};

/// `signing_input` ("b64url(header).b64url(payload)", taken as is) plus
/// "." and its RS256 signature: for tools and tests that build unusual
/// headers or payloads.
std::string sign_compact_rs256(const RsaKeyPair& key, std::string_view signing_input);

/// A signed RS256 JWT with header kid = key.thumbprint and iat/nbf/exp set
/// from now.
std::string sign_token(const RsaKeyPair& key, const TokenClaims& claims);

}  // namespace promptsales::auth
