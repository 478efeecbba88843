#include "tls_context.hpp"

#include "tls_stream.hpp"  // first Asio include: see asio_types.hpp

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "promptsales/common/errors.hpp"

namespace promptsales::http::detail {
namespace {

/// The reason of the most recent OpenSSL error ("no start line", "key values
/// mismatch", ...); clears the queue so the next check starts clean.
std::string openssl_reason() {
  unsigned long last = 0;
  while (const unsigned long e = ERR_get_error()) last = e;
  const char* reason = last != 0 ? ERR_reason_error_string(last) : nullptr;
  return reason != nullptr ? reason : "unknown OpenSSL error";
}

void require_readable(const char* key, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw ConfigError(std::string(key) + " '" + path + "': cannot read the file: " + std::strerror(errno));
  }
}

/// OpenSSL would otherwise prompt on the terminal for the passphrase of an
/// encrypted key; answering "no passphrase" makes loading fail instead.
int refuse_passphrase(char*, int, int, void*) { return 0; }

}  // namespace

std::shared_ptr<boost::asio::ssl::context> make_tls_context(const ServerOptions& options) {
  const std::string& cert = options.tls_cert_file;
  const std::string& key = options.tls_key_file;
  if (cert.empty() && key.empty()) return nullptr;
  if (cert.empty()) throw ConfigError("tls_key_file is set but tls_cert_file is not: HTTPS needs both");
  if (key.empty()) throw ConfigError("tls_cert_file is set but tls_key_file is not: HTTPS needs both");
  require_readable("tls_cert_file", cert);
  require_readable("tls_key_file", key);

  namespace ssl = boost::asio::ssl;
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = context->native_handle();
  ERR_clear_error();
  // TLS 1.3 only: older versions are refused during the handshake.
  if (SSL_CTX_set_min_proto_version(native, TLS1_3_VERSION) != 1 ||
      SSL_CTX_set_max_proto_version(native, TLS1_3_VERSION) != 1 ||
      SSL_CTX_set_ciphersuites(native, kTlsCiphersuites) != 1) {
    throw ConfigError("cannot configure TLS 1.3: " + openssl_reason());
  }
  SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_set_default_passwd_cb(native, &refuse_passphrase);

  if (SSL_CTX_use_certificate_chain_file(native, cert.c_str()) != 1) {
    throw ConfigError("tls_cert_file '" + cert + "': not a PEM certificate chain: " + openssl_reason());
  }
  if (SSL_CTX_use_PrivateKey_file(native, key.c_str(), SSL_FILETYPE_PEM) != 1) {
    throw ConfigError("tls_key_file '" + key + "': not an unencrypted PEM private key: " + openssl_reason());
  }
  if (SSL_CTX_check_private_key(native) != 1) {
    ERR_clear_error();
    throw ConfigError("tls_key_file '" + key + "' does not match the certificate in tls_cert_file '" + cert + "'");
  }
  return context;
}

}  // namespace promptsales::http::detail
