#include "promptsales/common/crypto/column_cipher.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

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

// HMAC-SHA256 with its key absorbed once: the inner and outer SHA-256
// states after the key blocks are kept, and each value copies them (a
// plain struct copy). EVP_MAC_CTX_dup allocated and cost ~1 us per value,
// several times the hashing itself. The low-level SHA256_* calls are
// deprecated in OpenSSL 3 but are the only allocation-free way to copy a
// digest state; they take the same SHA extensions as EVP.
namespace {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
class PrekeyedHmac {
 public:
  explicit PrekeyedHmac(std::string_view key) {
    std::array<unsigned char, SHA256_CBLOCK> block{};
    if (key.size() > block.size()) {
      SHA256(reinterpret_cast<const unsigned char*>(key.data()), key.size(), block.data());
    } else {
      std::memcpy(block.data(), key.data(), key.size());
    }
    std::array<unsigned char, SHA256_CBLOCK> pad{};
    for (std::size_t i = 0; i < pad.size(); ++i) pad[i] = block[i] ^ 0x36;
    SHA256_Init(&inner_);
    SHA256_Update(&inner_, pad.data(), pad.size());
    for (std::size_t i = 0; i < pad.size(); ++i) pad[i] = block[i] ^ 0x5c;
    SHA256_Init(&outer_);
    SHA256_Update(&outer_, pad.data(), pad.size());
    OPENSSL_cleanse(block.data(), block.size());
    OPENSSL_cleanse(pad.data(), pad.size());
  }
  ~PrekeyedHmac() {
    OPENSSL_cleanse(&inner_, sizeof inner_);
    OPENSSL_cleanse(&outer_, sizeof outer_);
  }
  PrekeyedHmac(const PrekeyedHmac&) = delete;
  PrekeyedHmac& operator=(const PrekeyedHmac&) = delete;

  /// Absorbs a prefix every message starts with (the column context).
  void absorb(std::string_view prefix) { SHA256_Update(&inner_, prefix.data(), prefix.size()); }

  /// HMAC of (absorbed prefix ||) data, 32 bytes to `out`.
  void mac(const unsigned char* data, std::size_t size, unsigned char* out) const {
    SHA256_CTX c = inner_;
    SHA256_Update(&c, data, size);
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256_Final(digest, &c);
    c = outer_;
    SHA256_Update(&c, digest, sizeof digest);
    SHA256_Final(out, &c);
    OPENSSL_cleanse(&c, sizeof c);
  }

 private:
  SHA256_CTX inner_{};
  SHA256_CTX outer_{};
};
#pragma GCC diagnostic pop

// The AES context of this thread, keyed once per key: a value then only sets
// its IV (EVP_EncryptInit_ex2 with a null key keeps the key schedule). All
// the encryptors of a bulk job share one data key, so it is keyed once.
class ThreadAes {
 public:
  EVP_CIPHER_CTX* for_key(const EVP_CIPHER* cipher, const std::array<std::uint8_t, 32>& key,
                          const unsigned char* iv) {
    if (!ctx_) throw std::bad_alloc();
    if (!keyed_ || key_ != key) {
      if (EVP_EncryptInit_ex2(ctx_.get(), cipher, key.data(), iv, nullptr) != 1) return nullptr;
      key_ = key;
      keyed_ = true;
      return ctx_.get();
    }
    return EVP_EncryptInit_ex2(ctx_.get(), nullptr, nullptr, iv, nullptr) == 1 ? ctx_.get() : nullptr;
  }
  ~ThreadAes() { OPENSSL_cleanse(key_.data(), key_.size()); }

 private:
  CipherCtx ctx_{EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free};
  std::array<std::uint8_t, 32> key_{};
  bool keyed_ = false;
};
}  // namespace

struct ColumnEncryptor::Impl {
  std::array<std::uint8_t, 32> key{};
  EVP_CIPHER* cipher = nullptr;
  std::unique_ptr<PrekeyedHmac> mac;  ///< keyed with the MAC key, context || 0x00 absorbed
  ~Impl() {
    EVP_CIPHER_free(cipher);
    OPENSSL_cleanse(key.data(), key.size());
  }
};

ColumnEncryptor::ColumnEncryptor(const DataKey& key, std::string_view context) : impl_(std::make_unique<Impl>()) {
  impl_->key = key.bytes();
  impl_->cipher = EVP_CIPHER_fetch(nullptr, "AES-256-CBC", nullptr);
  if (!impl_->cipher) throw Error("AES-256-CBC is not available");
  auto mkey = mac_key(key);
  impl_->mac = std::make_unique<PrekeyedHmac>(mkey);
  OPENSSL_cleanse(mkey.data(), mkey.size());
  // The MAC input is context || 0x00 || iv || ciphertext.
  std::string prefix(context);
  prefix.push_back('\0');
  impl_->mac->absorb(prefix);
}

ColumnEncryptor::~ColumnEncryptor() = default;

std::string ColumnEncryptor::encrypt(std::string_view plaintext) const {
  std::string out(kIv + plaintext.size() + kBlock + kMac, '\0');
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  next_iv(o);
  thread_local ThreadAes aes;
  auto* ctx = aes.for_key(impl_->cipher, impl_->key, o);
  int n1 = 0;
  int n2 = 0;
  if (!ctx ||
      EVP_EncryptUpdate(ctx, o + kIv, &n1, reinterpret_cast<const unsigned char*>(plaintext.data()),
                        static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx, o + kIv + n1, &n2) != 1) {
    throw Error("AES encryption failed");
  }
  const std::size_t body = kIv + static_cast<std::size_t>(n1 + n2);
  impl_->mac->mac(o, body, o + body);
  out.resize(body + kMac);
  return out;
}

struct KeyedHmacSha256::Impl {
  explicit Impl(std::string_view key) : mac(key) {}
  PrekeyedHmac mac;
};

KeyedHmacSha256::KeyedHmacSha256(std::string_view key) : impl_(std::make_unique<Impl>(key)) {}

KeyedHmacSha256::~KeyedHmacSha256() = default;

std::string KeyedHmacSha256::operator()(std::string_view data) const {
  std::string out(kMac, '\0');
  impl_->mac.mac(reinterpret_cast<const unsigned char*>(data.data()), data.size(),
                 reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

std::string blind_index(const DataKey& key, std::string_view context, std::string_view normalized) {
  const auto index_key = hmac_sha256(raw(key), std::string("promptsales blind index v1:") + std::string(context));
  return hmac_sha256(index_key, normalized);
}

}  // namespace promptsales::crypto
