// Every way a bearer token can be wrong is refused with 401 and a reason;
// a good one becomes a Principal. Tokens are forged with OpenSSL directly
// (token_forge), so these tests do not trust the JWT library they check.

#include <chrono>
#include <fstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "promptsales/common/auth/signing.hpp"
#include "promptsales/common/auth/token_verifier.hpp"
#include "temp_dir.hpp"
#include "token_forge.hpp"

using namespace promptsales;
using namespace promptsales::auth;
using nlohmann::json;
using test::forge_hs256;
using test::forge_rs256;
using test::forge_unsigned;

namespace {

constexpr const char* kIssuer = "https://issuer.test/";
constexpr const char* kAudience = "https://api.promptsales.test";

std::int64_t now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

struct Keys {
  Keys() : key(generate_rsa_key()), other(generate_rsa_key()) {
    jwks_path = dir.write("jwks.json", jwks_of({key}).dump());
    provider = std::make_unique<JwksProvider>(
        JwksOptions{.location = jwks_path, .min_refresh = std::chrono::milliseconds(0)});
    provider->load();
    verifier = std::make_unique<TokenVerifier>(TokenVerifierOptions{.issuer = kIssuer, .audience = kAudience}, *provider);
  }

  json header() const { return {{"alg", "RS256"}, {"typ", "JWT"}, {"kid", key.thumbprint}}; }
  json claims() const {
    return {{"sub", "auth0|alice"},  {"iss", kIssuer},        {"aud", kAudience}, {"iat", now_s()},
            {"exp", now_s() + 600}, {"org_id", 7}, {"permissions", {"campaigns:read", "other:thing"}}};
  }
  std::string sign(const json& payload) const { return forge_rs256(header(), payload, key.private_pem); }

  test::TempDir dir;
  RsaKeyPair key;
  RsaKeyPair other;
  std::string jwks_path;
  std::unique_ptr<JwksProvider> provider;
  std::unique_ptr<TokenVerifier> verifier;
};

/// The description of the InvalidToken `token` raises.
std::string rejection(const Keys& k, const std::string& token) {
  try {
    k.verifier->verify(token);
  } catch (const InvalidToken& e) {
    CHECK(e.oauth_error() == "invalid_token");
    CHECK(e.http_status() == 401);
    return e.what();
  }
  FAIL("token was accepted: " << token);
  return {};
}

}  // namespace

TEST_CASE("a valid RS256 token becomes a principal", "[auth]") {
  Keys k;
  const auto p = k.verifier->verify(k.sign(k.claims()));
  CHECK(p.subject == "auth0|alice");
  CHECK(p.organization_id == 7);
  CHECK(p.tenancy() == Tenancy::only(7));
  CHECK(p.can(Permission::campaigns_read));
  CHECK_FALSE(p.can(Permission::campaigns_write));
  CHECK(p.expires_at > now_s());

  SECTION("the library's own signer produces tokens the verifier accepts") {
    TokenClaims c{.subject = "auth0|bob", .issuer = kIssuer, .audience = kAudience, .organization_id = 9, .permissions = {"campaigns:write"}};
    const auto q = k.verifier->verify(sign_token(k.key, c));
    CHECK(q.subject == "auth0|bob");
    CHECK(q.organization_id == 9);
    CHECK(q.can(Permission::campaigns_write));
  }
  SECTION("aud may be an array holding our audience, org a numeric string") {
    auto c = k.claims();
    c["aud"] = {"https://tenant.auth0.test/userinfo", kAudience};
    c["org_id"] = "42";
    CHECK(k.verifier->verify(k.sign(c)).organization_id == 42);
  }
}

TEST_CASE("alg none in any spelling is refused", "[auth]") {
  Keys k;
  for (const char* alg : {"none", "None", "NONE", "nOnE"}) {
    INFO(alg);
    json h = {{"alg", alg}, {"typ", "JWT"}, {"kid", k.key.thumbprint}};
    CHECK_THAT(rejection(k, forge_unsigned(h, k.claims(), "")), Catch::Contains("malformed"));
    CHECK_THAT(rejection(k, forge_unsigned(h, k.claims(), "c2ln")), Catch::Contains("algorithm not allowed"));
  }
}

TEST_CASE("HS256 signed with the public key (algorithm confusion) is refused", "[auth]") {
  Keys k;
  json h = {{"alg", "HS256"}, {"typ", "JWT"}, {"kid", k.key.thumbprint}};
  CHECK_THAT(rejection(k, forge_hs256(h, k.claims(), k.key.public_pem)), Catch::Contains("algorithm not allowed"));
  // And RS256 spelled differently, even when really RSA-signed.
  json lower = {{"alg", "rs256"}, {"typ", "JWT"}, {"kid", k.key.thumbprint}};
  CHECK_THAT(rejection(k, forge_rs256(lower, k.claims(), k.key.private_pem)), Catch::Contains("algorithm not allowed"));
}

TEST_CASE("time, issuer, audience and subject claims are enforced", "[auth]") {
  Keys k;
  auto c = k.claims();
  SECTION("expired beyond the leeway") {
    c["exp"] = now_s() - 120;
    CHECK_THAT(rejection(k, k.sign(c)), Catch::Contains("expired"));
  }
  SECTION("expired within the leeway is accepted") {
    c["exp"] = now_s() - 5;
    CHECK(k.verifier->verify(k.sign(c)).subject == "auth0|alice");
  }
  SECTION("not yet valid") {
    c["nbf"] = now_s() + 600;
    CHECK_THAT(rejection(k, k.sign(c)), Catch::Contains("not valid yet"));
  }
  SECTION("time claims that are not integers (found by the fuzzer: 1e137 overflowed the library's cast)") {
    c["exp"] = 1e137;
    CHECK_THAT(rejection(k, k.sign(c)), Catch::Contains("exp is not an integer"));
    c["exp"] = now_s() + 600;
    c["nbf"] = "yesterday";
    CHECK_THAT(rejection(k, k.sign(c)), Catch::Contains("nbf is not an integer"));
    c.erase("nbf");
    c["iat"] = 1.5;
    CHECK_THAT(rejection(k, k.sign(c)), Catch::Contains("iat is not an integer"));
    c["iat"] = now_s();
    c["exp"] = 18446744073709551615ull;  // would be negative as a signed expiry
    CHECK_THAT(rejection(k, k.sign(c)), Catch::Contains("exp is out of range"));
    c["exp"] = now_s() + 600;
    c["nbf"] = -5;
    CHECK_THAT(rejection(k, k.sign(c)), Catch::Contains("nbf is out of range"));
  }
  SECTION("no exp") {
    c.erase("exp");
    CHECK_THAT(rejection(k, k.sign(c)), Catch::Contains("exp"));
  }
  SECTION("wrong issuer") {
    c["iss"] = "https://evil.test/";
    CHECK_THAT(rejection(k, k.sign(c)), Catch::Contains("issuer"));
  }
  SECTION("no issuer") {
    c.erase("iss");
    CHECK_THAT(rejection(k, k.sign(c)), Catch::Contains("issuer"));
  }
  SECTION("wrong audience") {
    c["aud"] = "https://other-api.test";
    CHECK_THAT(rejection(k, k.sign(c)), Catch::Contains("audience"));
    c["aud"] = json::array({"https://other-api.test"});
    CHECK_THAT(rejection(k, k.sign(c)), Catch::Contains("audience"));
  }
  SECTION("no subject") {
    c.erase("sub");
    CHECK_THAT(rejection(k, k.sign(c)), Catch::Contains("subject"));
  }
  SECTION("a bad organization claim") {
    c["org_id"] = "seven";
    CHECK_THAT(rejection(k, k.sign(c)), Catch::Contains("organization"));
    c["org_id"] = -3;
    CHECK_THAT(rejection(k, k.sign(c)), Catch::Contains("organization"));
  }
}

TEST_CASE("signatures and keys are checked", "[auth]") {
  Keys k;
  SECTION("signed by a key the JWKS does not hold, under our kid") {
    CHECK_THAT(rejection(k, forge_rs256(k.header(), k.claims(), k.other.private_pem)),
               Catch::Contains("bad signature"));
  }
  SECTION("a payload changed after signing") {
    const auto good = k.sign(k.claims());
    auto evil = k.claims();
    evil["org_id"] = 8;
    const auto forged = good.substr(0, good.find('.') + 1) + test::b64url(evil.dump()) + good.substr(good.rfind('.'));
    CHECK_THAT(rejection(k, forged), Catch::Contains("bad signature"));
  }
  SECTION("unknown kid") {
    auto h = k.header();
    h["kid"] = "no-such-key";
    CHECK_THAT(rejection(k, forge_rs256(h, k.claims(), k.key.private_pem)), Catch::Contains("kid"));
    h.erase("kid");
    CHECK_THAT(rejection(k, forge_rs256(h, k.claims(), k.key.private_pem)), Catch::Contains("kid"));
  }
  SECTION("malformed tokens") {
    for (const std::string bad : {"", "abc", "a.b", "a.b.c.d", "..", "a..c", "####.$$$$.%%%%", "e30.e30.e30"}) {
      INFO("token '" << bad << "'");
      CHECK_THAT(rejection(k, bad), Catch::Contains("malformed") || Catch::Contains("algorithm"));
    }
    CHECK_THAT(rejection(k, std::string(9000, 'a')), Catch::Contains("longer than"));
  }
}

TEST_CASE("a key rotated at the provider is picked up without a restart", "[auth]") {
  Keys k;
  const auto rotated = generate_rsa_key();
  json h = {{"alg", "RS256"}, {"typ", "JWT"}, {"kid", rotated.thumbprint}};
  const auto token = forge_rs256(h, k.claims(), rotated.private_pem);
  CHECK_THAT(rejection(k, token), Catch::Contains("kid"));
  // The provider publishes both keys during the rotation.
  std::ofstream(k.jwks_path, std::ios::trunc) << jwks_of({k.key, rotated}).dump();
  CHECK(k.verifier->verify(token).subject == "auth0|alice");
  CHECK(k.provider->kids().size() == 2);
}

TEST_CASE("unknown kids refresh the key set at most once per interval", "[auth]") {
  test::TempDir dir;
  const auto key = generate_rsa_key();
  const auto path = dir.write("jwks.json", jwks_of({key}).dump());
  JwksProvider provider({.location = path, .min_refresh = std::chrono::hours(1)});
  provider.load();
  const auto rotated = generate_rsa_key();
  std::ofstream(path, std::ios::trunc) << jwks_of({key, rotated}).dump();
  CHECK_FALSE(provider.key(rotated.thumbprint));  // loaded just now: no refresh yet
  CHECK(provider.key(key.thumbprint));
}

TEST_CASE("a token without an organization needs platform:admin", "[auth]") {
  Keys k;
  auto c = k.claims();
  c.erase("org_id");
  CHECK_THROWS_AS(k.verifier->verify(k.sign(c)), promptsales::Forbidden);
  c["permissions"] = {"platform:admin", "campaigns:read"};
  const auto p = k.verifier->verify(k.sign(c));
  CHECK_FALSE(p.organization_id);
  CHECK(p.tenancy() == Tenancy::all());
}

TEST_CASE("bearer credentials are parsed strictly", "[auth]") {
  CHECK(bearer_token("Bearer abc.def.ghi") == "abc.def.ghi");
  CHECK(bearer_token("bearer   abc  ") == "abc");
  const auto error_of = [](std::string_view header) {
    try {
      bearer_token(header);
    } catch (const InvalidToken& e) {
      return e.oauth_error();
    }
    return std::string("accepted");
  };
  CHECK(error_of("").empty());
  CHECK(error_of("Basic dXNlcjpwYXNz") == "invalid_request");
  CHECK(error_of("Bearer") == "invalid_request");
  CHECK(error_of("Bearer    ") == "invalid_request");
  CHECK(error_of("Bearerabc") == "invalid_request");
}

TEST_CASE("JWKS documents are validated when loaded", "[auth]") {
  test::TempDir dir;
  const auto load = [&](const std::string& text) {
    JwksProvider p({.location = dir.write("k.json", text)});
    p.load();
  };
  CHECK_THROWS_WITH(load("not json"), Catch::Contains("not valid JSON"));
  CHECK_THROWS_WITH(load("{}"), Catch::Contains("keys"));
  CHECK_THROWS_WITH(load(R"({"keys":[{"kty":"EC","kid":"x"}]})"), Catch::Contains("no RSA signing key"));
  CHECK_THROWS_WITH(load(R"({"keys":[{"kty":"RSA","kid":"x","n":"@@","e":"AQAB"}]})"), Catch::Contains("base64url"));
  JwksProvider missing({.location = (dir.path() / "absent.json").string()});
  CHECK_THROWS_WITH(missing.load(), Catch::Contains("absent.json"));
  JwksProvider unset({.location = ""});
  CHECK_THROWS_WITH(unset.load(), Catch::Contains("auth keygen"));
}
