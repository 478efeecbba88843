#include "token_forge.hpp"

#include <memory>
#include <stdexcept>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include "promptsales/common/auth/base64url.hpp"

namespace promptsales::test {

std::string b64url(const std::string& bytes) { return auth::base64url_encode(bytes); }

namespace {
std::string signing_input(const nlohmann::json& header, const nlohmann::json& payload) {
  return b64url(header.dump()) + "." + b64url(payload.dump());
}
}  // namespace

std::string forge_rs256(const nlohmann::json& header, const nlohmann::json& payload, const std::string& private_pem) {
  const auto input = signing_input(header, payload);
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(private_pem.data(), static_cast<int>(private_pem.size())),
                                                &BIO_free);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr),
                                                          &EVP_PKEY_free);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!key || !ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1) {
    throw std::runtime_error("forge_rs256: bad key");
  }
  std::size_t len = 0;
  EVP_DigestSign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()), input.size());
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                     reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1) {
    throw std::runtime_error("forge_rs256: signing failed");
  }
  sig.resize(len);
  return input + "." + b64url(sig);
}

std::string forge_hs256(const nlohmann::json& header, const nlohmann::json& payload, const std::string& secret) {
  const auto input = signing_input(header, payload);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &len);
  return input + "." + b64url(std::string(reinterpret_cast<const char*>(mac), len));
}

std::string forge_unsigned(const nlohmann::json& header, const nlohmann::json& payload, const std::string& sig) {
  return signing_input(header, payload) + "." + sig;
}

}  // namespace promptsales::test
