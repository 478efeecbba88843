#include "promptsales/common/auth/signing.hpp"

#include <memory>

#include <jwt/jwt.hpp>
#include <nlohmann/json.hpp>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/sha.h>

#include "promptsales/common/auth/base64url.hpp"
#include "promptsales/common/errors.hpp"

namespace promptsales::auth {
namespace {

struct Free {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
  void operator()(BIO* p) const { BIO_free_all(p); }
  void operator()(BIGNUM* p) const { BN_free(p); }
  void operator()(OSSL_PARAM_BLD* p) const { OSSL_PARAM_BLD_free(p); }
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
};
template <class T>
using Owned = std::unique_ptr<T, Free>;

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(n));
}

std::string public_pem_of(EVP_PKEY* key) {
  Owned<BIO> bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key) != 1) throw Error("cannot write an RSA public key");
  return bio_text(bio.get());
}

std::string private_pem_of(EVP_PKEY* key) {
  Owned<BIO> bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    throw Error("cannot write an RSA private key");
  }
  return bio_text(bio.get());
}

std::string bn_bytes(EVP_PKEY* key, const char* name) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &raw) != 1) throw Error("not an RSA key");
  Owned<BIGNUM> bn(raw);
  std::string bytes(static_cast<std::size_t>(BN_num_bytes(bn.get())), '\0');
  BN_bn2bin(bn.get(), reinterpret_cast<unsigned char*>(bytes.data()));
  return bytes;
}

RsaKeyPair pair_of(EVP_PKEY* key) {
  if (EVP_PKEY_is_a(key, "RSA") != 1) throw ConfigError("the private key is not an RSA key");
  if (EVP_PKEY_get_bits(key) < 2048) throw ConfigError("the RSA key is shorter than 2048 bits");
  RsaKeyPair pair;
  pair.private_pem = private_pem_of(key);
  pair.public_pem = public_pem_of(key);
  // RFC 7638: SHA-256 of the required members in lexicographic order.
  const std::string canonical = R"({"e":")" + base64url_encode(bn_bytes(key, OSSL_PKEY_PARAM_RSA_E)) +
                                R"(","kty":"RSA","n":")" +
                                base64url_encode(bn_bytes(key, OSSL_PKEY_PARAM_RSA_N)) + R"("})";
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(canonical.data()), canonical.size(), digest);
  pair.thumbprint = base64url_encode(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
  return pair;
}

Owned<EVP_PKEY> read_private(const std::string& pem) {
  Owned<BIO> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  Owned<EVP_PKEY> key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!key) throw ConfigError("the private key is not a PEM RSA private key");
  return key;
}

}  // namespace

nlohmann::json RsaKeyPair::public_jwk(const std::string& kid) const {
  Owned<BIO> bio(BIO_new_mem_buf(public_pem.data(), static_cast<int>(public_pem.size())));
  Owned<EVP_PKEY> key(bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!key) throw Error("invalid RSA public key");
  return {{"kty", "RSA"},
          {"use", "sig"},
          {"alg", "RS256"},
          {"kid", kid},
          {"n", base64url_encode(bn_bytes(key.get(), OSSL_PKEY_PARAM_RSA_N))},
          {"e", base64url_encode(bn_bytes(key.get(), OSSL_PKEY_PARAM_RSA_E))}};
}

RsaKeyPair generate_rsa_key(int bits) {
  if (bits < 2048) throw ValidationError("bits", "RSA keys must have at least 2048 bits");
  Owned<EVP_PKEY> key(EVP_RSA_gen(static_cast<unsigned>(bits)));
  if (!key) throw Error("RSA key generation failed");
  return pair_of(key.get());
}

RsaKeyPair load_rsa_key(const std::string& private_pem) { return pair_of(read_private(private_pem).get()); }

nlohmann::json jwks_of(const std::vector<RsaKeyPair>& keys) {
  auto list = nlohmann::json::array();
  for (const auto& k : keys) list.push_back(k.public_jwk(k.thumbprint));
  return {{"keys", list}};
}

std::string rsa_public_pem(const nlohmann::json& jwk) {
  if (!jwk.is_object() || jwk.value("kty", "") != "RSA") throw ConfigError("key is not an RSA JWK (kty)");
  if (!jwk.contains("n") || !jwk["n"].is_string() || !jwk.contains("e") || !jwk["e"].is_string()) {
    throw ConfigError("RSA JWK lacks n or e");
  }
  const auto n = base64url_decode(jwk["n"].get<std::string>());
  const auto e = base64url_decode(jwk["e"].get<std::string>());
  if (!n || !e || n->empty() || e->empty()) throw ConfigError("RSA JWK n or e is not base64url");
  if (n->size() * 8 < 2048) throw ConfigError("RSA JWK is shorter than 2048 bits");
  Owned<BIGNUM> bn_n(BN_bin2bn(reinterpret_cast<const unsigned char*>(n->data()), static_cast<int>(n->size()), nullptr));
  Owned<BIGNUM> bn_e(BN_bin2bn(reinterpret_cast<const unsigned char*>(e->data()), static_cast<int>(e->size()), nullptr));
  Owned<OSSL_PARAM_BLD> builder(OSSL_PARAM_BLD_new());
  if (!bn_n || !bn_e || !builder || OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) != 1) {
    throw Error("out of memory building an RSA key");
  }
  Owned<OSSL_PARAM> params(OSSL_PARAM_BLD_to_param(builder.get()));
  Owned<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    throw ConfigError("RSA JWK is not a valid public key");
  }
  Owned<EVP_PKEY> key(raw);
  return public_pem_of(key.get());
}

std::string sign_compact_rs256(const RsaKeyPair& key, std::string_view signing_input) {
  const auto pkey = read_private(key.private_pem);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  const auto* in = reinterpret_cast<const unsigned char*>(signing_input.data());
  std::size_t len = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, pkey.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, in, signing_input.size()) != 1) {
    throw Error("RS256 signing failed");
  }
  std::string signature(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &len, in, signing_input.size()) !=
      1) {
    throw Error("RS256 signing failed");
  }
  signature.resize(len);
  return std::string(signing_input) + "." + base64url_encode(signature);
}

std::string sign_token(const RsaKeyPair& key, const TokenClaims& claims) {
  using namespace jwt::params;
  const auto now = std::chrono::system_clock::now();
  jwt::jwt_object token{algorithm("RS256"), secret(key.private_pem), headers({{"kid", key.thumbprint}})};
  token.add_claim("sub", claims.subject)
      .add_claim("iss", claims.issuer)
      .add_claim("aud", claims.audience)
      .add_claim("iat", now)
      .add_claim("nbf", now)
      .add_claim("exp", now + claims.lifetime);
  if (claims.organization_id) token.add_claim(claims.organization_claim, *claims.organization_id);
  token.add_claim(claims.permissions_claim, claims.permissions);
  std::error_code ec;
  auto text = token.signature(ec);
  if (ec) throw Error("signing the token failed: " + ec.message());
  return text;
}

}  // namespace promptsales::auth
