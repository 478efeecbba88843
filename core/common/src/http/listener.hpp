#pragma once
// The listening socket: accepts on the first I/O thread and hands each new
// connection to the I/O threads in turn, so one acceptor serves them all
// without SO_REUSEPORT (which would let a second server on the same port
// bind silently and steal half the traffic).

#include <cstdint>
#include <string_view>
#include <vector>

#include "asio_types.hpp"

namespace promptsales::http::detail {

class IoThread;
struct ServerCore;

class Listener {
 public:
  /// Binds and listens on `endpoint` from `context` (the first I/O thread's).
  /// Throws promptsales::ConfigError naming `listen` when that fails.
  Listener(ServerCore& core, asio::io_context& context, const tcp::endpoint& endpoint, std::string_view listen,
           std::vector<IoThread*> targets);

  /// The bound port.
  std::uint16_t port() const noexcept { return port_; }
  /// Starts accepting (on the listener's thread).
  void start();
  /// Closes the listening socket: new connections are refused (on the listener's thread).
  void close() noexcept;

 private:
  void accept_next();
  void on_accept(const error_code& ec, Socket socket);
  void reject(Socket& socket) noexcept;

  ServerCore& core_;
  Acceptor acceptor_;
  asio::steady_timer retry_timer_;
  std::vector<IoThread*> targets_;
  std::size_t next_target_ = 0;
  std::uint16_t port_ = 0;
  bool closed_ = false;
  bool accept_failing_ = false;  // logged once per episode, not per retry
};

}  // namespace promptsales::http::detail
