#pragma once
// One client connection: reads requests (keep-alive, pipelined), runs the
// matched route, writes each response as a single gathered write of a
// reused head buffer and the (possibly shared) body. Lives on one I/O
// thread; only the blocking handler call leaves it, for the worker pool.
//
// The connection is a template on its stream (connection_impl.hpp): a plain
// TCP socket, or a TLS stream over one when ServerOptions asks for TLS. The
// I/O thread's registry and sweep see only this small interface, so the
// per-request path has no virtual calls and the plain path is unchanged.

#include <cstddef>

#include "asio_types.hpp"  // first: it wraps the Asio headers (see there)

namespace promptsales::http::detail {

class IoThread;
struct ServerCore;

/// What the I/O thread needs of a connection (timeouts, draining).
class ConnectionBase {
 public:
  virtual ~ConnectionBase() = default;
  /// Enforces the handshake, read, idle, write and linger deadlines (from the sweep).
  virtual void check_deadline(Clock::time_point now) = 0;
  /// Closes the connection if it is waiting for a (first or next) request (draining).
  virtual void close_if_idle() noexcept = 0;
  /// Closes the socket at once; idempotent.
  virtual void close() noexcept = 0;

  /// Position in IoThread's registry, maintained by IoThread.
  std::size_t registry_index = 0;
};

/// Serves `socket` (already counted by the listener and bound to `io`'s
/// context) on `io`'s thread: over TLS when the server has a TLS context.
void launch_connection(ServerCore& core, IoThread& io, Socket socket);

/// The plain and TLS variants of launch_connection (one translation unit each).
void launch_plain_connection(ServerCore& core, IoThread& io, Socket socket);
void launch_tls_connection(ServerCore& core, IoThread& io, Socket socket);

}  // namespace promptsales::http::detail
