#include "listener.hpp"

#include <chrono>
#include <string>

#include "connection.hpp"
#include "io_thread.hpp"
#include "log.hpp"
#include "promptsales/common/errors.hpp"
#include "request_id.hpp"
#include "response_head.hpp"
#include "server_core.hpp"

namespace promptsales::http::detail {
namespace {

/// Pause before accepting again when the process is out of descriptors or
/// memory: retrying at once would spin on the same error.
constexpr std::chrono::milliseconds kAcceptRetryDelay{100};

bool out_of_resources(const error_code& ec) {
  return ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space ||
         ec == asio::error::no_memory || ec == boost::system::errc::too_many_files_open_in_system;
}

}  // namespace

Listener::Listener(ServerCore& core, asio::io_context& context, const tcp::endpoint& endpoint,
                   std::string_view listen, std::vector<IoThread*> targets)
    : core_(core), acceptor_(context), retry_timer_(context), targets_(std::move(targets)) {
  const auto fail = [&](std::string_view step, const error_code& ec) {
    throw ConfigError("cannot listen on " + std::string(listen) + ": " + std::string(step) + ": " + ec.message());
  };
  error_code ec;
  acceptor_.open(endpoint.protocol(), ec);
  if (ec) fail("socket", ec);
  // Lets a restarted server bind while old connections sit in TIME_WAIT; it
  // does not allow two listeners on one port (SO_REUSEPORT would).
  acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (ec) fail("setsockopt", ec);
  acceptor_.bind(endpoint, ec);
  if (ec) fail("bind", ec);
  acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) fail("listen", ec);
  port_ = acceptor_.local_endpoint(ec).port();
  if (ec) fail("getsockname", ec);
}

void Listener::start() { accept_next(); }

void Listener::close() noexcept {
  closed_ = true;
  error_code ec;
  acceptor_.close(ec);
  retry_timer_.cancel();
}

void Listener::accept_next() {
  if (closed_) return;
  // Accept straight into the next I/O thread's context: the socket is
  // registered with that thread's reactor and never migrates.
  IoThread& target = *targets_[next_target_];
  acceptor_.async_accept(target.context(),
                         [this](const error_code& ec, Socket socket) { on_accept(ec, std::move(socket)); });
}

void Listener::on_accept(const error_code& ec, Socket socket) {
  if (closed_ || ec == asio::error::operation_aborted) return;
  if (ec) {
    if (out_of_resources(ec)) {
      if (!accept_failing_) logger().error("accept failed, retrying: {}", ec.message());
      accept_failing_ = true;
      retry_timer_.expires_after(kAcceptRetryDelay);
      retry_timer_.async_wait([this](const error_code& wait_ec) {
        if (!wait_ec) accept_next();
      });
      return;
    }
    accept_next();  // the peer gave up before we accepted (ECONNABORTED and the like)
    return;
  }
  if (accept_failing_) logger().info("accept recovered");
  accept_failing_ = false;

  if (core_.draining.load()) {
    // Accepted just before the listener closed for shutdown.
    error_code ignored;
    socket.close(ignored);
    return;
  }
  if (core_.open_connections.load(std::memory_order_relaxed) >= core_.options.max_connections) {
    core_.observer.on_connection_rejected();
    reject(socket);
    accept_next();
    return;
  }
  core_.open_connections.fetch_add(1, std::memory_order_relaxed);
  error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);  // responses go out in one write; never delay them

  IoThread& target = *targets_[next_target_];
  next_target_ = (next_target_ + 1) % targets_.size();
  launch_connection(core_, target, std::move(socket));
  accept_next();
}

void Listener::reject(Socket& socket) noexcept {
  // Best effort and without blocking: a short response fits in the empty
  // send buffer of a new socket, and the client's request is never read.
  try {
    std::string request_id;
    generate_request_id(request_id);
    const Response response = Response::error(503, "unavailable", "server is at its connection limit");
    std::string message;
    serialize_head(response, response.body->size(), {core_.options.server_name, request_id, ConnectionHeader::close},
                   message);
    message += *response.body;
    error_code ec;
    socket.non_blocking(true, ec);
    socket.write_some(asio::buffer(message), ec);
    socket.shutdown(tcp::socket::shutdown_send, ec);
    socket.close(ec);
  } catch (...) {
    error_code ec;
    socket.close(ec);
  }
}

}  // namespace promptsales::http::detail
