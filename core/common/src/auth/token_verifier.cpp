#include "promptsales/common/auth/token_verifier.hpp"

#include <charconv>

#include <jwt/jwt.hpp>
#include <nlohmann/json.hpp>

#include "promptsales/common/auth/base64url.hpp"

namespace promptsales::auth {
namespace {

[[noreturn]] void reject(const std::string& description) { throw InvalidToken("invalid_token", description); }

bool is_token_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/// The decoded JOSE header, after checking the token's shape: three
/// non-empty base64url parts.
nlohmann::json jose_header(std::string_view token, std::size_t max_bytes) {
  if (token.size() > max_bytes) reject("token is longer than " + std::to_string(max_bytes) + " bytes");
  const auto first = token.find('.');
  const auto second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    reject("malformed token: expected three dot-separated parts");
  }
  for (std::size_t i = 0; i < token.size(); ++i) {
    if (i != first && i != second && !is_token_char(token[i])) reject("malformed token: not base64url");
  }
  if (first == 0 || second == first + 1 || second + 1 == token.size()) reject("malformed token: an empty part");
  const auto header_text = base64url_decode(token.substr(0, first));
  if (!header_text) reject("malformed token: header is not base64url");
  auto header = nlohmann::json::parse(*header_text, nullptr, /*allow_exceptions=*/false);
  if (header.is_discarded() || !header.is_object()) reject("malformed token: header is not a JSON object");
  return header;
}

/// The JWT library reads exp, nbf and iat as unsigned 64-bit integers
/// before it checks the signature, and converting a huge floating-point
/// value (1e137) to one is undefined behaviour: refuse anything but an
/// integer first. (The fuzzer found this.)
void check_time_claims(std::string_view payload_part) {
  const auto text = base64url_decode(payload_part);
  if (!text) reject("malformed token: payload is not base64url");
  const auto payload = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (payload.is_discarded() || !payload.is_object()) reject("malformed token: payload is not a JSON object");
  // Up to the year 9999, so later arithmetic on them cannot overflow.
  constexpr std::uint64_t kLatest = 253'402'300'799;
  for (const char* name : {"exp", "nbf", "iat"}) {
    const auto it = payload.find(name);
    if (it == payload.end()) continue;
    if (!it->is_number_integer()) reject(std::string("malformed token: ") + name + " is not an integer NumericDate");
    if (!it->is_number_unsigned() || it->get<std::uint64_t>() > kLatest) {
      reject(std::string("malformed token: ") + name + " is out of range");
    }
  }
}

std::int64_t organization_of(const nlohmann::json& claim) {
  std::int64_t id = 0;
  if (claim.is_number_integer()) {
    id = claim.get<std::int64_t>();
  } else if (claim.is_string()) {
    const auto& s = claim.get_ref<const std::string&>();
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), id);
    if (ec != std::errc() || ptr != s.data() + s.size()) id = 0;
  }
  if (id <= 0) reject("the organization claim is not a positive integer");
  return id;
}

bool audience_matches(const nlohmann::json& aud, const std::string& expected) {
  if (aud.is_string()) return aud.get_ref<const std::string&>() == expected;
  if (aud.is_array()) {
    for (const auto& a : aud) {
      if (a.is_string() && a.get_ref<const std::string&>() == expected) return true;
    }
  }
  return false;
}

std::string describe(const std::error_code& ec) {
  if (ec == jwt::VerificationErrc::TokenExpired) return "token expired";
  if (ec == jwt::VerificationErrc::ImmatureSignature) return "token not valid yet (nbf)";
  if (ec == jwt::VerificationErrc::InvalidIssuer) return "wrong issuer";
  if (ec == jwt::VerificationErrc::InvalidSignature || ec == jwt::AlgorithmErrc::VerificationErr) {
    return "bad signature";
  }
  if (ec == jwt::VerificationErrc::InvalidAlgorithm) return "algorithm not allowed";
  if (ec == jwt::VerificationErrc::TypeConversionError) return "malformed token: a claim has the wrong type";
  return "malformed token";
}

}  // namespace

TokenVerifier::TokenVerifier(TokenVerifierOptions options, JwksProvider& keys)
    : options_(std::move(options)), keys_(keys) {}

Principal TokenVerifier::verify(std::string_view token) const {
  const auto header = jose_header(token, options_.max_token_bytes);
  // Exactly "RS256": the JWT library compares case-insensitively, and an
  // allow-list is the only defence against "none" and HS256 confusion.
  const auto alg = header.find("alg");
  if (alg == header.end() || !alg->is_string() || alg->get_ref<const std::string&>() != "RS256") {
    reject("algorithm not allowed: only RS256 is accepted");
  }
  const auto kid = header.find("kid");
  if (kid == header.end() || !kid->is_string() || kid->get_ref<const std::string&>().empty()) {
    reject("token header has no kid");
  }
  check_time_claims(token.substr(token.find('.') + 1, token.rfind('.') - token.find('.') - 1));
  const auto pem = keys_.key(kid->get_ref<const std::string&>());
  if (!pem) reject("unknown signing key (kid)");

  std::error_code ec;
  jwt::jwt_object decoded;
  try {
    using namespace jwt::params;
    decoded = jwt::decode(jwt::string_view(token.data(), token.size()), algorithms({"RS256"}), ec, secret(*pem),
                          issuer(options_.issuer), leeway(static_cast<std::uint32_t>(options_.leeway.count())),
                          jwt::params::verify(true));
  } catch (const std::exception&) {
    reject("malformed token");
  }
  if (ec) reject(describe(ec));

  const auto& claims = decoded.payload().create_json_obj();
  if (!claims.contains("exp") || !claims["exp"].is_number()) reject("token has no exp claim");
  if (!claims.contains("aud") || !audience_matches(claims["aud"], options_.audience)) reject("wrong audience");
  if (!claims.contains("sub") || !claims["sub"].is_string() || claims["sub"].get_ref<const std::string&>().empty()) {
    reject("token has no subject");
  }

  Principal p;
  p.subject = claims["sub"].get<std::string>();
  p.expires_at = claims["exp"].get<std::int64_t>();
  if (const auto perms = claims.find(options_.permissions_claim); perms != claims.end()) {
    if (!perms->is_array()) reject("the permissions claim is not an array");
    std::vector<std::string> names;
    for (const auto& n : *perms) {
      if (n.is_string()) names.push_back(n.get<std::string>());
    }
    p.permissions = parse_permissions(names, /*ignore_unknown=*/true);
  }
  if (const auto org = claims.find(options_.organization_claim); org != claims.end()) {
    p.organization_id = organization_of(*org);
  } else if (!p.can(Permission::platform_admin)) {
    throw Forbidden("the token names no organization (claim '" + options_.organization_claim + "')");
  }
  return p;
}

std::string_view bearer_token(std::string_view header) {
  if (header.empty()) throw InvalidToken("", "missing bearer token (Authorization: Bearer ...)");
  constexpr std::string_view kScheme = "bearer ";
  if (header.size() <= kScheme.size()) throw InvalidToken("invalid_request", "malformed Authorization header");
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    const char c = header[i];
    if ((c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c) != kScheme[i]) {
      throw InvalidToken("invalid_request", "the Authorization header is not a Bearer credential");
    }
  }
  auto token = header.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  if (token.empty()) throw InvalidToken("invalid_request", "malformed Authorization header: empty token");
  return token;
}

}  // namespace promptsales::auth
