#pragma once
// One client connection: reads requests (keep-alive, pipelined), runs the
// matched route, writes each response as a single gathered write of a
// reused head buffer and the (possibly shared) body. Lives on one I/O
// thread; only the blocking handler call leaves it, for the worker pool.

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "asio_types.hpp"  // first: it wraps the Asio headers (see there)

#include <boost/beast/core/flat_buffer.hpp>

#include "promptsales/common/http/message.hpp"
#include "promptsales/common/http/router.hpp"
#include "request_parser.hpp"

namespace promptsales::http::detail {

class IoThread;
struct ServerCore;

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  /// `socket` must belong to `io`'s context; the listener has counted it.
  Connection(ServerCore& core, IoThread& io, Socket socket);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  /// Registers with the I/O thread and starts reading (on the I/O thread).
  void start();
  /// Enforces the read, idle, write and linger deadlines (from the sweep).
  void check_deadline(Clock::time_point now);
  /// Closes the connection if it is waiting for a next request (draining).
  void close_if_idle() noexcept;
  /// Closes the socket at once; idempotent.
  void close() noexcept;

  /// Position in IoThread's registry, maintained by IoThread.
  std::size_t registry_index = 0;

 private:
  enum class Phase { created, reading, handling, writing, lingering, closed };

  void read_more();
  void on_read(const error_code& ec, std::size_t bytes);
  void begin_request(Clock::time_point now);
  void parse();
  void await_more_input();
  void send_continue();
  void dispatch();
  void run_blocking();
  void on_blocking_done();
  void respond_parse_error(const error_code& ec);
  void respond_timeout();
  void send(Response&& response);
  void on_written(const error_code& ec);
  void start_linger();
  void linger_read();
  void begin_accounting();
  void end_accounting(int status, Clock::time_point now) noexcept;

  ServerCore& core_;
  IoThread& io_;
  Socket socket_;
  const Executor executor_;  // copied so worker threads never touch socket_

  Phase phase_ = Phase::created;
  Clock::time_point deadline_{};
  Clock::time_point request_start_{};
  bool request_started_ = false;  // bytes of the current request have arrived
  bool timed_out_ = false;        // the sweep cancelled a read that missed its deadline
  bool continue_sent_ = false;
  bool keep_alive_ = true;
  bool http10_ = false;
  bool close_after_write_ = false;
  bool in_flight_ = false;  // on_request_start() was reported, on_request_end() not yet

  boost::beast::flat_buffer buffer_;
  std::optional<RequestParser> parser_;
  Request request_;
  const Route* route_ = nullptr;
  std::string_view route_name_;
  Method metric_method_ = Method::other;
  int status_ = 0;

  Response response_;         // kept until written: it owns the (shared) body
  Response blocking_result_;  // written by a worker, read after the post back
  std::string head_;          // status line and fields, reused across requests
};

}  // namespace promptsales::http::detail
