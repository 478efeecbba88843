#pragma once
/// Verifies RS256 bearer tokens (Auth0-style OIDC access tokens) and turns
/// them into Principals. Only RS256 is accepted, spelled exactly so: `none`
/// in any spelling and HS256 (which would verify with the public key as an
/// HMAC secret: algorithm confusion) are refused before any signature check.

#include <chrono>
#include <string>
#include <string_view>

#include "promptsales/common/auth/jwks.hpp"
#include "promptsales/common/auth/principal.hpp"
#include "promptsales/common/errors.hpp"

namespace promptsales::auth {

/// A token that was missing or failed verification: 401. `oauth_error` is
/// the RFC 6750 error code for WWW-Authenticate ("invalid_request" for a
/// malformed Authorization header, "invalid_token" otherwise, empty when no
/// credentials were sent at all).
class InvalidToken : public Unauthorized {
 public:
  InvalidToken(std::string oauth_error, const std::string& description)
      : Unauthorized(description), oauth_error_(std::move(oauth_error)) {}
  const std::string& oauth_error() const noexcept { return oauth_error_; }

 private:
  std::string oauth_error_;
};

struct TokenVerifierOptions {
  /// Expected `iss`, exactly (Auth0: "https://TENANT/", trailing slash included).
  std::string issuer{};
  /// Expected in `aud` (a string or an array).
  std::string audience{};
  /// Allowed clock difference for `exp` and `nbf`.
  std::chrono::seconds leeway{30};
  /// Claim holding the organization id (an integer or a numeric string).
  std::string organization_claim = "org_id";
  /// Claim holding permission names (Auth0 RBAC: "permissions").
  std::string permissions_claim = "permissions";
  /// Longer tokens are refused unparsed.
  std::size_t max_token_bytes = 8192;
};

class TokenVerifier {
 public:
  TokenVerifier(TokenVerifierOptions options, JwksProvider& keys);

  /// The principal of a valid token, with the permissions its claim names
  /// (unknown names ignored: a token may carry other APIs' permissions).
  /// Throws InvalidToken naming the problem (malformed, algorithm, unknown
  /// kid, bad signature, expired, not yet valid, issuer, audience, subject),
  /// or Forbidden for a valid token that names no organization and lacks
  /// platform:admin. May block (refreshing the key set on an unknown kid).
  Principal verify(std::string_view token) const;

  const TokenVerifierOptions& options() const noexcept { return options_; }

 private:
  TokenVerifierOptions options_;
  JwksProvider& keys_;
};

/// The token of an `Authorization: Bearer <token>` header value. Throws
/// InvalidToken: with an empty oauth_error when `header` is empty, and
/// "invalid_request" when it is not a Bearer credential.
std::string_view bearer_token(std::string_view header);

}  // namespace promptsales::auth
