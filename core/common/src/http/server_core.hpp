#pragma once
// State shared by the listener, the I/O threads and every connection of one
// Server: the options, the router, the observer, the worker pool and the
// connection count that decides when a shutdown is complete.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

#include "asio_types.hpp"
#include "promptsales/common/http/router.hpp"
#include "promptsales/common/http/server.hpp"

namespace boost::asio::ssl {
class context;
}

namespace promptsales::http::detail {

/// Shared state of one Server; outlives every connection.
struct ServerCore {
  ServerCore(ServerOptions server_options, const Router& server_router,
             std::shared_ptr<ServerObserver> server_observer);

  /// Called when a served connection closes: drops the count and, when
  /// draining and it was the last one, calls on_drained.
  void connection_closed() noexcept;

  const ServerOptions options;
  const Router& router;
  /// Keeps the observer alive; never null (a do-nothing observer stands in).
  const std::shared_ptr<ServerObserver> observer_owner;
  /// The observer, by reference so the hot path skips the null check.
  ServerObserver& observer;
  /// Runs `blocking` handlers; created by start().
  std::optional<boost::asio::thread_pool> workers;
  /// Connections counted by the listener and not yet closed.
  std::atomic<std::size_t> open_connections{0};
  /// Set by begin_shutdown(); read on every response (relaxed).
  std::atomic<bool> draining{false};
  /// The TLS settings shared by every connection; null serves plain HTTP.
  /// Created by start() from the options' certificate and key.
  std::shared_ptr<boost::asio::ssl::context> tls_context;
  /// TLS handshakes that failed or timed out (Server::tls_handshake_failures()).
  std::atomic<std::uint64_t> tls_handshake_failures{0};
  /// Set before start() spawns threads. May be called more than once and
  /// from any thread: the callee makes it idempotent.
  std::function<void()> on_drained;
};

}  // namespace promptsales::http::detail
