#pragma once
// Builds the server's TLS context from ServerOptions: TLS 1.3 only, three
// AEAD ciphersuites, the certificate chain and its private key.

#include <memory>

#include "promptsales/common/http/server.hpp"

namespace boost::asio::ssl {
class context;
}

namespace promptsales::http::detail {

/// The TLS 1.3 ciphersuites the server accepts, in its order of preference.
inline constexpr const char* kTlsCiphersuites =
    "TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_256_GCM_SHA384";

/// Null when neither tls_cert_file nor tls_key_file is set (plain HTTP).
/// Throws promptsales::ConfigError naming the file when only one is set, a
/// file cannot be read, is not PEM of the right kind, the key is encrypted,
/// or the key does not match the certificate. Messages carry OpenSSL's
/// reason, never file contents.
std::shared_ptr<boost::asio::ssl::context> make_tls_context(const ServerOptions& options);

}  // namespace promptsales::http::detail
