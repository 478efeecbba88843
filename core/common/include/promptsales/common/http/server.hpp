#pragma once
/// The HTTP/1.1 server. Boost.Beast and Asio stay behind a pimpl so that
/// including this header costs no more than the standard library.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "promptsales/common/http/message.hpp"

namespace promptsales::http {

class Router;

/// Limits and tuning of a Server. The defaults suit production behind a
/// load balancer.
struct ServerOptions {
  /// "host:port"; IPv6 as "[::1]:8080"; a host name is resolved once at
  /// start(). Port 0 picks an ephemeral port (see Server::port()).
  std::string listen = "0.0.0.0:8080";
  /// Threads running the event loops; 0 = std::thread::hardware_concurrency().
  unsigned io_threads = 0;
  /// Threads running `blocking` handlers (at least 1).
  unsigned worker_threads = 16;
  /// Request line plus header fields; beyond it the answer is 431.
  std::size_t max_header_bytes = 16 * 1024;
  /// Request body (after removing chunked encoding); beyond it the answer is 413.
  std::size_t max_body_bytes = 1024 * 1024;
  /// A request's header and body must arrive within this time of its first
  /// byte (408 and close otherwise). It also bounds the wait for the first
  /// request of a new connection (closed silently, as nothing was asked).
  std::chrono::milliseconds read_timeout{10'000};
  /// An idle keep-alive connection is closed after this; it also bounds how
  /// long a client may take to read one response.
  std::chrono::milliseconds idle_timeout{60'000};
  /// Open connections; a connection beyond it gets a best-effort 503 JSON
  /// error (`Connection: close`) and is closed at once, without reading.
  std::size_t max_connections = 10'000;
  /// After begin_shutdown(), connections still open after this are closed.
  std::chrono::milliseconds shutdown_timeout{25'000};
  /// Value of the `Server` response header.
  std::string server_name = "promptsales";
  /// When true, SIGTERM and SIGINT call begin_shutdown(), and a second
  /// signal closes every connection at once (shutdown_now()). Uses a
  /// handler installed with sigaction, so it works whatever the threads'
  /// signal masks are.
  bool handle_signals = false;
  /// PEM certificate chain (the server's certificate first). Set together
  /// with tls_key_file to serve HTTPS only: TLS 1.3, ciphersuites
  /// TLS_AES_128_GCM_SHA256, TLS_CHACHA20_POLY1305_SHA256 and
  /// TLS_AES_256_GCM_SHA384. The handshake counts against read_timeout.
  std::string tls_cert_file;
  /// Unencrypted PEM private key of tls_cert_file's certificate.
  std::string tls_key_file;
};

/// Loads the TLS certificate and key named by `options` (if any) as start()
/// will, so a caller can fail fast before opening databases. Throws
/// promptsales::ConfigError naming the file: only one of the two set,
/// unreadable, not PEM, encrypted key, or a key that does not match the
/// certificate. Never logs or reports key material.
void check_tls_files(const ServerOptions& options);

/// Hooks for metrics, so the server does not depend on a metrics library.
/// Calls come from I/O threads concurrently and sit on the hot path: keep
/// them cheap and lock-free. The defaults do nothing.
class ServerObserver {
 public:
  virtual ~ServerObserver() = default;
  /// A complete request was read (or a malformed one is about to be answered).
  virtual void on_request_start() noexcept {}
  /// The response to the request announced by on_request_start() was written.
  /// `route_name` is the Route's name, or "unmatched" when no route served it
  /// (404, 405, 400, 408, 413, 431). `status` is 499 when the connection
  /// closed before the response was fully written. `duration_seconds` runs
  /// from the request's first byte to the end of the write.
  virtual void on_request_end(std::string_view /*route_name*/, Method /*method*/, int /*status*/,
                              double /*duration_seconds*/) noexcept {}
  /// A connection was accepted and will be served.
  virtual void on_connection_open() noexcept {}
  /// A connection announced by on_connection_open() was closed.
  virtual void on_connection_close() noexcept {}
  /// A connection was refused because max_connections were open.
  virtual void on_connection_rejected() noexcept {}
  /// A TLS handshake failed or did not finish within read_timeout (plain
  /// HTTP on the TLS port, TLS 1.2 and older, no shared ciphersuite, ...).
  /// Followed by on_connection_close().
  virtual void on_tls_handshake_failed() noexcept {}
};

/// An HTTP/1.1 server (keep-alive, pipelining, HEAD, HTTP/1.0) dispatching to
/// a Router. Each I/O thread runs its own event loop; one acceptor hands new
/// connections to them in turn. `fast` handlers run on the I/O thread,
/// `blocking` ones on a worker pool. Errors thrown by handlers become JSON
/// error bodies: promptsales::Error keeps its status, code and message; any
/// other exception is a 500 whose details are only logged.
///
/// The Router must outlive the Server and must not change after start().
///
/// Typical use in `serve`:
///   http::Router router;
///   register_campaign_routes(router, services);   // and the other route groups
///   http::ServerOptions options = ...;             // from Config; handle_signals = true
///   http::Server server(options, router, metrics_observer);
///   server.start();   // ConfigError -> exit code 2
///   server.wait();    // returns once SIGTERM has drained the connections
class Server {
 public:
  /// Prepares the server; nothing is bound until start().
  Server(ServerOptions options, const Router& router, std::shared_ptr<ServerObserver> observer = nullptr);
  /// Shuts down (as begin_shutdown() then wait()) if still running, then
  /// waits for blocking handlers that are still executing to return.
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Loads the TLS certificate and key (when configured), binds the
  /// listening socket and starts the I/O and worker threads. Throws
  /// promptsales::ConfigError if the TLS files are unusable (see
  /// check_tls_files()) or the address is invalid or cannot be bound (in
  /// use, not local, no permission). Call once.
  void start();
  /// The bound port (the ephemeral one when listening on port 0); 0 before start().
  std::uint16_t port() const noexcept;
  /// Blocks until the server has fully stopped: after begin_shutdown(), once
  /// every connection is closed (at the latest shutdown_timeout later).
  /// Returns at once if start() was never called.
  void wait();
  /// Thread-safe and idempotent (not async-signal-safe: call it from a
  /// thread, or use ServerOptions::handle_signals). Stops accepting (new
  /// connections are refused), closes idle keep-alive connections, answers
  /// requests in flight with `Connection: close`, and closes whatever is
  /// still open after shutdown_timeout.
  void begin_shutdown() noexcept;
  /// begin_shutdown(), then closes every connection now, requests in flight
  /// included.
  void shutdown_now() noexcept;
  /// True once begin_shutdown() was called: the readiness route reports it.
  bool draining() const noexcept;
  /// TLS handshakes that failed or timed out since start().
  std::uint64_t tls_handshake_failures() const noexcept;
  /// The options the server was built with.
  const ServerOptions& options() const noexcept;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace promptsales::http
