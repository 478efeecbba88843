#pragma once
// SHA-256 over a stream of pieces (OpenSSL EVP), as lowercase hex.
#include <openssl/evp.h>

#include <string>
#include <string_view>

#include "promptsales/common/errors.hpp"
#include "promptsales/common/hash.hpp"

namespace promptsales::backup::detail {

class Sha256Stream {
 public:
  Sha256Stream() : ctx_(EVP_MD_CTX_new()) {
    if (!ctx_ || EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr) != 1) throw Error("cannot initialise SHA-256");
  }
  ~Sha256Stream() { EVP_MD_CTX_free(ctx_); }
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;
  void update(std::string_view bytes) { EVP_DigestUpdate(ctx_, bytes.data(), bytes.size()); }
  std::string hex() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx_, digest, &len);
    return hex_encode(std::string_view(reinterpret_cast<const char*>(digest), len));
  }

 private:
  EVP_MD_CTX* ctx_;
};

}  // namespace promptsales::backup::detail
