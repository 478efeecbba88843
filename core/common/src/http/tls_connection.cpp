// Connection<TlsStream>: HTTP over TLS 1.3.
#include "tls_stream.hpp"  // first: it wraps the Asio headers (see asio_types.hpp)

#include "connection_impl.hpp"
#include "log.hpp"

namespace promptsales::http::detail {

void launch_tls_connection(ServerCore& core, IoThread& io, Socket socket) {
  auto connection = std::make_shared<Connection<TlsStream>>(core, io, std::move(socket), *core.tls_context);
  asio::post(io.context(), [connection = std::move(connection)] { connection->start(); });
}

void note_tls_handshake_failure(ServerCore& core, const error_code& ec, std::string_view remote) noexcept {
  core.tls_handshake_failures.fetch_add(1, std::memory_order_relaxed);
  core.observer.on_tls_handshake_failed();
  try {
    // The OpenSSL reason ("wrong version number", "no shared cipher", ...)
    // says what the client got wrong; it never includes key material.
    logger().debug("TLS handshake with {} failed: {}", remote.empty() ? "?" : remote, ec.message());
  } catch (...) {
    // Logging must not take the connection's thread down.
  }
}

}  // namespace promptsales::http::detail
