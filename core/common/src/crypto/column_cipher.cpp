#include "promptsales/common/crypto/column_cipher.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <memory>

#include "promptsales/common/crypto/integrity_error.hpp"

namespace promptsales::crypto {
namespace {

constexpr std::size_t kIv = 16;
constexpr std::size_t kMac = 32;
constexpr std::size_t kBlock = 16;

std::string_view raw(const DataKey& key) {
  return {reinterpret_cast<const char*>(key.bytes().data()), key.bytes().size()};
}

// Derived so that the AES key itself is never used as an HMAC key.
std::string mac_key(const DataKey& key) { return hmac_sha256(raw(key), "promptsales column mac v1"); }

std::string mac_of(const std::string& mkey, std::string_view context, std::string_view iv_and_ciphertext) {
  std::string input;
  input.reserve(context.size() + 1 + iv_and_ciphertext.size());
  input.append(context);
  input.push_back('\0');
  input.append(iv_and_ciphertext);
  return hmac_sha256(mkey, input);
}

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

std::string aes_cbc(bool encrypt, const DataKey& key, std::string_view iv, std::string_view input) {
  CipherCtx ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  if (!ctx) throw std::bad_alloc();
  const auto* k = key.bytes().data();
  const auto* v = reinterpret_cast<const unsigned char*>(iv.data());
  if (EVP_CipherInit_ex(ctx.get(), EVP_aes_256_cbc(), nullptr, k, v, encrypt ? 1 : 0) != 1) {
    throw Error("AES initialization failed");
  }
  std::string out(input.size() + kBlock, '\0');
  int n1 = 0;
  int n2 = 0;
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  if (EVP_CipherUpdate(ctx.get(), o, &n1, reinterpret_cast<const unsigned char*>(input.data()),
                       static_cast<int>(input.size())) != 1 ||
      EVP_CipherFinal_ex(ctx.get(), o + n1, &n2) != 1) {
    // Only reachable after the MAC matched, i.e. never for honest data.
    throw IntegrityError("encrypted value is malformed");
  }
  out.resize(static_cast<std::size_t>(n1 + n2));
  return out;
}

}  // namespace

std::string hmac_sha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
            data.size(), out, &len)) {
    throw Error("HMAC-SHA256 failed");
  }
  return std::string(reinterpret_cast<const char*>(out), len);
}

std::string encrypt_column(const DataKey& key, std::string_view context, std::string_view plaintext) {
  std::string iv(kIv, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(iv.data()), static_cast<int>(kIv)) != 1) {
    throw Error("no randomness available for an IV");
  }
  std::string out = iv + aes_cbc(true, key, iv, plaintext);
  out += mac_of(mac_key(key), context, out);
  return out;
}

std::string decrypt_column(const DataKey& key, std::string_view context, std::string_view stored) {
  // At least one cipher block, and whole blocks.
  if (stored.size() < kIv + kBlock + kMac || (stored.size() - kIv - kMac) % kBlock != 0) {
    throw IntegrityError("encrypted value for " + std::string(context) + " is truncated or malformed");
  }
  const auto body = stored.substr(0, stored.size() - kMac);
  const auto expected = mac_of(mac_key(key), context, body);
  if (CRYPTO_memcmp(expected.data(), stored.data() + body.size(), kMac) != 0) {
    throw IntegrityError("encrypted value for " + std::string(context) +
                         " failed verification (changed, or written under another key or for another column)");
  }
  return aes_cbc(false, key, body.substr(0, kIv), body.substr(kIv));
}

std::string blind_index(const DataKey& key, std::string_view context, std::string_view normalized) {
  const auto index_key = hmac_sha256(raw(key), std::string("promptsales blind index v1:") + std::string(context));
  return hmac_sha256(index_key, normalized);
}

}  // namespace promptsales::crypto
