#include "promptsales/common/crypto/column_cipher.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <pthread.h>

#include <array>
#include <atomic>
#include <cstring>
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

// IVs for ColumnEncryptor, drawn from RAND_bytes 256 at a time: one call
// costs ~2 us, more than the AES and the HMAC of a short value together.
// The buffer belongs to one thread and one process (a forked child draws
// its own, so no IV is ever used twice).
// getpid() is a system call, too slow per value: a fork handler bumps a
// generation instead, and a buffer from an older generation is refilled.
std::atomic<unsigned> fork_generation{0};
void after_fork_in_child() { fork_generation.fetch_add(1, std::memory_order_relaxed); }

void next_iv(unsigned char* iv) {
  static const bool registered = pthread_atfork(nullptr, nullptr, &after_fork_in_child) == 0;
  struct Pool {
    std::array<unsigned char, 256 * kIv> bytes{};
    std::size_t used = 256 * kIv;
    unsigned generation = 0;
  };
  thread_local Pool pool;
  const unsigned generation = fork_generation.load(std::memory_order_relaxed);
  if (!registered || pool.used == pool.bytes.size() || pool.generation != generation) {
    if (RAND_bytes(pool.bytes.data(), static_cast<int>(pool.bytes.size())) != 1) {
      throw Error("no randomness available for an IV");
    }
    pool.used = registered ? 0 : pool.bytes.size() - kIv;  // without the handler: one IV per draw
    pool.generation = generation;
  }
  std::memcpy(iv, pool.bytes.data() + pool.used, kIv);
  OPENSSL_cleanse(pool.bytes.data() + pool.used, kIv);
  pool.used += kIv;
}

struct ColumnEncryptor::Impl {
  std::array<std::uint8_t, 32> key{};
  std::string context;
  EVP_CIPHER* cipher = nullptr;
  EVP_MAC* mac = nullptr;
  EVP_MAC_CTX* keyed = nullptr;  ///< initialised with the MAC key; duplicated per value
  ~Impl() {
    EVP_MAC_CTX_free(keyed);
    EVP_MAC_free(mac);
    EVP_CIPHER_free(cipher);
    OPENSSL_cleanse(key.data(), key.size());
  }
};

ColumnEncryptor::ColumnEncryptor(const DataKey& key, std::string_view context) : impl_(std::make_unique<Impl>()) {
  impl_->key = key.bytes();
  impl_->context = std::string(context);
  impl_->context.push_back('\0');  // the MAC input is context || 0x00 || iv || ciphertext
  impl_->cipher = EVP_CIPHER_fetch(nullptr, "AES-256-CBC", nullptr);
  impl_->mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  if (!impl_->cipher || !impl_->mac || !(impl_->keyed = EVP_MAC_CTX_new(impl_->mac))) {
    throw Error("AES-256-CBC or HMAC is not available");
  }
  auto mkey = mac_key(key);
  char digest[] = "SHA256";
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0), OSSL_PARAM_END};
  const bool ok = EVP_MAC_init(impl_->keyed, reinterpret_cast<const unsigned char*>(mkey.data()), mkey.size(),
                               params) == 1;
  OPENSSL_cleanse(mkey.data(), mkey.size());
  if (!ok) throw Error("HMAC initialization failed");
}

ColumnEncryptor::~ColumnEncryptor() = default;

std::string ColumnEncryptor::encrypt(std::string_view plaintext) const {
  std::string out(kIv + plaintext.size() + kBlock + kMac, '\0');
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  next_iv(o);
  // One context per thread, re-initialised per value (no allocation).
  thread_local CipherCtx ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  int n1 = 0;
  int n2 = 0;
  if (!ctx || EVP_EncryptInit_ex2(ctx.get(), impl_->cipher, impl_->key.data(), o, nullptr) != 1 ||
      EVP_EncryptUpdate(ctx.get(), o + kIv, &n1, reinterpret_cast<const unsigned char*>(plaintext.data()),
                        static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), o + kIv + n1, &n2) != 1) {
    throw Error("AES encryption failed");
  }
  const std::size_t body = kIv + static_cast<std::size_t>(n1 + n2);
  std::unique_ptr<EVP_MAC_CTX, decltype(&EVP_MAC_CTX_free)> mac(EVP_MAC_CTX_dup(impl_->keyed), &EVP_MAC_CTX_free);
  std::size_t mac_len = 0;
  if (!mac ||
      EVP_MAC_update(mac.get(), reinterpret_cast<const unsigned char*>(impl_->context.data()),
                     impl_->context.size()) != 1 ||
      EVP_MAC_update(mac.get(), o, body) != 1 || EVP_MAC_final(mac.get(), o + body, &mac_len, kMac) != 1 ||
      mac_len != kMac) {
    throw Error("HMAC-SHA256 failed");
  }
  out.resize(body + kMac);
  return out;
}

struct KeyedHmacSha256::Impl {
  EVP_MAC* mac = nullptr;
  EVP_MAC_CTX* keyed = nullptr;
  ~Impl() {
    EVP_MAC_CTX_free(keyed);
    EVP_MAC_free(mac);
  }
};

KeyedHmacSha256::KeyedHmacSha256(std::string_view key) : impl_(std::make_unique<Impl>()) {
  impl_->mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  if (!impl_->mac || !(impl_->keyed = EVP_MAC_CTX_new(impl_->mac))) throw Error("HMAC is not available");
  char digest[] = "SHA256";
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0), OSSL_PARAM_END};
  if (EVP_MAC_init(impl_->keyed, reinterpret_cast<const unsigned char*>(key.data()), key.size(), params) != 1) {
    throw Error("HMAC initialization failed");
  }
}

KeyedHmacSha256::~KeyedHmacSha256() = default;

std::string KeyedHmacSha256::operator()(std::string_view data) const {
  std::string out(kMac, '\0');
  std::unique_ptr<EVP_MAC_CTX, decltype(&EVP_MAC_CTX_free)> mac(EVP_MAC_CTX_dup(impl_->keyed), &EVP_MAC_CTX_free);
  std::size_t len = 0;
  if (!mac || EVP_MAC_update(mac.get(), reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1 ||
      EVP_MAC_final(mac.get(), reinterpret_cast<unsigned char*>(out.data()), &len, kMac) != 1 || len != kMac) {
    throw Error("HMAC-SHA256 failed");
  }
  return out;
}

std::string blind_index(const DataKey& key, std::string_view context, std::string_view normalized) {
  const auto index_key = hmac_sha256(raw(key), std::string("promptsales blind index v1:") + std::string(context));
  return hmac_sha256(index_key, normalized);
}

}  // namespace promptsales::crypto
