#pragma once
// The definition of Connection<Stream>, included only by the translation
// units that instantiate it: plain_connection.cpp (Stream = Socket) and
// tls_connection.cpp (Stream = a Beast TLS stream over Socket). What differs
// between the two is confined to `if constexpr (kTls)` branches: the TLS
// handshake before the first read, and close_notify instead of a TCP
// half-close when a closing connection lingers.

#include "connection.hpp"  // first: asio_types.hpp wraps the Asio headers

#include <algorithm>
#include <array>
#include <atomic>
#include <exception>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include <boost/asio/dispatch.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http/error.hpp>

#include "invoke.hpp"
#include "io_thread.hpp"
#include "promptsales/common/http/message.hpp"
#include "promptsales/common/http/router.hpp"
#include "promptsales/common/thread_name.hpp"
#include "request_id.hpp"
#include "request_parser.hpp"
#include "response_head.hpp"
#include "server_core.hpp"

namespace promptsales::http::detail {

namespace connection_constants {

/// Read size while waiting for a request head: requests are small, and
/// 10,000 idle connections should not hold large buffers.
constexpr std::size_t kHeadReadSize = 4 * 1024;
/// Read size while a body is arriving, to keep system calls few.
constexpr std::size_t kBodyReadSize = 64 * 1024;
/// Buffers above this are released after the request that grew them.
constexpr std::size_t kKeptBufferCapacity = 16 * 1024;
constexpr std::size_t kKeptBodyCapacity = 64 * 1024;
/// How long a closing connection keeps reading (and discarding) after its
/// last response, so that unread request bytes do not turn the close into
/// a reset that could destroy the response before the client reads it.
constexpr std::chrono::milliseconds kMaxLinger{1000};

constexpr std::string_view kUnmatched = "unmatched";
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

}  // namespace connection_constants

/// Reports a failed TLS handshake (debug log and the server's counter).
/// Defined in tls_connection.cpp.
void note_tls_handshake_failure(ServerCore& core, const error_code& ec, std::string_view remote) noexcept;

template <class Stream>
class Connection final : public ConnectionBase, public std::enable_shared_from_this<Connection<Stream>> {
  /// What an async handler's Responder talks to. It owns the connection, so
  /// the connection outlives the I/O the handler started; the first
  /// completion wins, and one never given (the handler dropped every copy)
  /// answers 500 rather than leaving the client waiting.
  class Completion final : public AsyncCompletion {
   public:
    explicit Completion(std::shared_ptr<Connection> connection) : connection_(std::move(connection)) {}
    ~Completion() override {
      if (!done_.load(std::memory_order_acquire)) {
        resume(Response::error(500, "internal", "internal server error"), nullptr);
      }
    }
    void complete(Response&& response, std::exception_ptr error) noexcept override {
      if (done_.exchange(true, std::memory_order_acq_rel)) return;
      resume(std::move(response), std::move(error));
    }
    /// The handler declined the request: later calls are ignored.
    void disarm() noexcept { done_.store(true, std::memory_order_release); }

   private:
    void resume(Response&& response, std::exception_ptr error) noexcept {
      try {
        // Inline when already on the connection's thread (the usual case:
        // the handler's I/O runs on the same event loop), posted otherwise.
        asio::dispatch(connection_->executor_, [connection = connection_, response = std::move(response),
                                                error = std::move(error)]() mutable {
          connection->on_async_done(std::move(response), std::move(error));
        });
      } catch (...) {
        // Out of memory: the connection stays in `handling` until the drain
        // or shutdown closes it.
      }
    }

    std::shared_ptr<Connection> connection_;
    std::atomic<bool> done_{false};
  };

 public:
  /// True for the TLS stream: the handshake comes first.
  static constexpr bool kTls = !std::is_same_v<Stream, Socket>;

  /// `stream` must wrap a socket of `io`'s context; the listener has counted it.
  Connection(ServerCore& core, IoThread& io, Stream stream)
      : core_(core), io_(io), stream_(std::move(stream)), executor_(socket().get_executor()) {}
  /// For the TLS stream: built from the socket and the server's TLS context.
  template <class Context>
  Connection(ServerCore& core, IoThread& io, Socket socket, Context& tls_context)
      : core_(core), io_(io), stream_(std::move(socket), tls_context), executor_(this->socket().get_executor()) {}
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  /// Registers with the I/O thread and starts reading (on the I/O thread).
  void start();
  void check_deadline(Clock::time_point now) override;
  void close_if_idle() noexcept override;
  void close() noexcept override;

 private:
  enum class Phase { created, handshaking, reading, handling, writing, lingering, closed };

  Socket& socket() noexcept { return boost::beast::get_lowest_layer(stream_); }

  void on_handshake(const error_code& ec);
  void read_more();
  void on_read(const error_code& ec, std::size_t bytes);
  void begin_request(Clock::time_point now);
  void parse();
  void await_more_input();
  void send_continue();
  void dispatch();
  bool run_async();
  void on_async_done(Response&& response, std::exception_ptr error);
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
  Stream stream_;
  const Executor executor_;  // copied so worker threads never touch stream_

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

template <class Stream>
void Connection<Stream>::start() {
  io_.add(*this);
  core_.observer.on_connection_open();
  error_code ec;
  const auto remote = socket().remote_endpoint(ec);
  if (!ec) request_.remote_address = remote.address().to_string();
  request_started_ = false;
  // A new connection must finish its handshake and send its first request
  // within read_timeout (one budget for both: the sweep enforces it).
  deadline_ = Clock::now() + core_.options.read_timeout;
  if constexpr (kTls) {
    phase_ = Phase::handshaking;
    stream_.async_handshake(Stream::server, [self = this->shared_from_this()](const error_code& handshake_ec) {
      self->on_handshake(handshake_ec);
    });
  } else {
    read_more();
  }
}

template <class Stream>
void Connection<Stream>::on_handshake(const error_code& ec) {
  if (phase_ == Phase::closed) return;  // timed out or closed by a drain
  if (ec) {
    // A scanner, a plain-HTTP client, an old TLS version or an unknown
    // ciphersuite: routine on a public port, so debug level only.
    note_tls_handshake_failure(core_, ec, request_.remote_address);
    close();
    return;
  }
  read_more();
}

template <class Stream>
void Connection<Stream>::read_more() {
  phase_ = Phase::reading;
  const bool body_pending = parser_ && parser_->is_header_done();
  stream_.async_read_some(buffer_.prepare(body_pending ? connection_constants::kBodyReadSize : connection_constants::kHeadReadSize),
                          [self = this->shared_from_this()](const error_code& ec, std::size_t bytes) {
                            self->on_read(ec, bytes);
                          });
}

template <class Stream>
void Connection<Stream>::on_read(const error_code& ec, std::size_t bytes) {
  if (phase_ == Phase::closed) return;
  if (timed_out_) {
    respond_timeout();
    return;
  }
  if (ec) {
    close();  // EOF, reset or cancellation: nobody is left to answer
    return;
  }
  buffer_.commit(bytes);
  if (!request_started_) begin_request(Clock::now());
  parse();
}

template <class Stream>
void Connection<Stream>::begin_request(Clock::time_point now) {
  request_started_ = true;
  request_start_ = now;
  deadline_ = now + core_.options.read_timeout;
  continue_sent_ = false;
  route_ = nullptr;
  route_name_ = connection_constants::kUnmatched;
  // Clear rather than reassign so the strings and vectors keep their capacity.
  request_.method = Method::other;
  request_.target.clear();
  request_.headers.clear();
  request_.path_params.clear();
  request_.request_id.clear();
  if (request_.body.capacity() > connection_constants::kKeptBodyCapacity) {
    std::string().swap(request_.body);
  } else {
    request_.body.clear();
  }
  parser_.emplace(request_, core_.options.max_header_bytes, core_.options.max_body_bytes);
}

template <class Stream>
void Connection<Stream>::parse() {
  while (buffer_.size() > 0) {
    error_code ec;
    const std::size_t used = parser_->put(buffer_.data(), ec);
    buffer_.consume(used);
    if (ec == boost::beast::http::error::need_more) break;
    if (ec) {
      respond_parse_error(ec);
      return;
    }
    if (parser_->is_done()) {
      dispatch();
      return;
    }
    if (used == 0) break;
  }
  await_more_input();
}

template <class Stream>
void Connection<Stream>::await_more_input() {
  if (parser_->is_header_done() && parser_->expects_continue() && !continue_sent_) {
    send_continue();
    return;
  }
  read_more();
}

template <class Stream>
void Connection<Stream>::send_continue() {
  // The client holds the body back until it sees this interim response.
  continue_sent_ = true;
  asio::async_write(stream_, asio::buffer(connection_constants::kContinue),
                    [self = this->shared_from_this()](const error_code& ec, std::size_t) {
                      if (self->phase_ == Phase::closed) return;
                      if (self->timed_out_ || ec) {
                        self->close();
                        return;
                      }
                      self->read_more();
                    });
}

template <class Stream>
void Connection<Stream>::begin_accounting() {
  in_flight_ = true;
  metric_method_ = request_.method;
  core_.observer.on_request_start();
  if (request_.request_id.empty()) generate_request_id(request_.request_id);
}

template <class Stream>
void Connection<Stream>::end_accounting(int status, Clock::time_point now) noexcept {
  if (!in_flight_) return;
  in_flight_ = false;
  const double seconds = std::chrono::duration<double>(now - request_start_).count();
  core_.observer.on_request_end(route_name_, metric_method_, status, seconds);
}

template <class Stream>
void Connection<Stream>::dispatch() {
  phase_ = Phase::handling;
  keep_alive_ = parser_->keep_alive();
  http10_ = parser_->version() < 11;
  begin_accounting();

  if (!parse_target(request_.target, request_.path, request_.query)) {
    send(Response::error(400, "bad_request", "malformed request target"));
    return;
  }
  Match match = core_.router.match(request_.method, request_.path);
  if (match.route == nullptr) {
    if (match.path_exists) {
      Response response = Response::error(405, "method_not_allowed", "method not allowed for this path");
      response.headers.emplace_back("Allow", std::move(match.allow));
      send(std::move(response));
    } else {
      send(Response::error(404, "not_found", "no route matches this path"));
    }
    return;
  }
  route_ = match.route;
  route_name_ = route_->name;
  request_.path_params = std::move(match.path_params);

  if (std::optional<Response> response = invoke_fast(*route_, request_)) {
    send(std::move(*response));
    return;
  }
  if (route_->handler.async && run_async()) return;
  if (!route_->handler.blocking) {
    send(invoke_blocking(*route_, request_));  // answers 500 at once; nothing blocks
    return;
  }
  run_blocking();
}

template <class Stream>
bool Connection<Stream>::run_async() {
  // The connection reads nothing until the response is sent, so request_
  // stays as it is while the handler's I/O runs.
  auto completion = std::make_shared<Completion>(this->shared_from_this());
  const Responder responder(completion, io_.context());
  if (invoke_async(*route_, request_, responder)) return true;
  completion->disarm();
  return false;
}

template <class Stream>
void Connection<Stream>::on_async_done(Response&& response, std::exception_ptr error) {
  if (phase_ != Phase::handling) return;  // force-closed (drain timeout) while the I/O ran
  if (error) {
    send(error_response(*route_, request_, std::move(error)));
  } else {
    send(std::move(response));
  }
}

template <class Stream>
void Connection<Stream>::run_blocking() {
  // The connection reads nothing while the handler runs, so the worker may
  // read request_ and write blocking_result_ without locks; the post back to
  // the I/O thread orders those accesses.
  asio::post(*core_.workers, [self = this->shared_from_this()]() mutable {
    thread_local const bool named = (set_current_thread_name("http-worker"), true);
    (void)named;
    self->blocking_result_ = invoke_blocking(*self->route_, self->request_);
    const Executor executor = self->executor_;
    asio::post(executor, [self = std::move(self)] { self->on_blocking_done(); });
  });
}

template <class Stream>
void Connection<Stream>::on_blocking_done() {
  if (phase_ == Phase::closed) return;  // force-closed while the handler ran
  send(std::move(blocking_result_));
}

template <class Stream>
void Connection<Stream>::respond_parse_error(const error_code& ec) {
  phase_ = Phase::handling;
  keep_alive_ = false;
  begin_accounting();
  if (ec == boost::beast::http::error::header_limit) {
    send(Response::error(431, "header_too_large", "request header fields too large"));
  } else if (ec == boost::beast::http::error::body_limit) {
    send(Response::error(413, "payload_too_large",
                         "request body exceeds " + std::to_string(core_.options.max_body_bytes) + " bytes"));
  } else {
    send(Response::error(400, "bad_request", "malformed HTTP request"));
  }
}

template <class Stream>
void Connection<Stream>::respond_timeout() {
  timed_out_ = false;
  phase_ = Phase::handling;
  keep_alive_ = false;
  begin_accounting();
  send(Response::error(408, "request_timeout", "request not received in time"));
}

template <class Stream>
void Connection<Stream>::send(Response&& response) {
  response_ = std::move(response);
  status_ = (response_.status >= 100 && response_.status <= 999) ? response_.status : 500;
  close_after_write_ = !keep_alive_ || core_.draining.load(std::memory_order_relaxed);

  HeadFields fields;
  fields.server_name = core_.options.server_name;
  fields.request_id = request_.request_id;
  if (close_after_write_) {
    fields.connection = ConnectionHeader::close;
  } else if (http10_) {
    fields.connection = ConnectionHeader::keep_alive;  // HTTP/1.0 closes unless told otherwise
  }
  const std::string* body = response_.body.get();
  const std::size_t body_size = (body == nullptr || status_has_no_body(status_)) ? 0 : body->size();
  serialize_head(response_, body_size, fields, head_);

  phase_ = Phase::writing;
  deadline_ = Clock::now() + core_.options.idle_timeout;
  auto on_done = [self = this->shared_from_this()](const error_code& ec, std::size_t) { self->on_written(ec); };
  if (body_size > 0 && metric_method_ != Method::head) {
    // One gathered write; the body is sent from the shared string, uncopied.
    const std::array<asio::const_buffer, 2> buffers{asio::buffer(head_), asio::buffer(*body)};
    asio::async_write(stream_, buffers, std::move(on_done));
  } else {
    asio::async_write(stream_, asio::buffer(head_), std::move(on_done));
  }
}

template <class Stream>
void Connection<Stream>::on_written(const error_code& ec) {
  if (phase_ == Phase::closed) return;
  response_.body.reset();  // release a cached body promptly
  response_.headers.clear();
  if (ec) {
    close();  // reported as 499: the client did not get the response
    return;
  }
  const auto now = Clock::now();
  end_accounting(status_, now);
  if (close_after_write_) {
    start_linger();
    return;
  }
  parser_.reset();
  request_started_ = false;
  if (buffer_.size() > 0) {  // a pipelined request is already here
    begin_request(now);
    parse();
    return;
  }
  if (buffer_.capacity() > connection_constants::kKeptBufferCapacity) buffer_.shrink_to_fit();
  deadline_ = now + core_.options.idle_timeout;
  read_more();
}

template <class Stream>
void Connection<Stream>::start_linger() {
  phase_ = Phase::lingering;
  deadline_ = Clock::now() + std::min<Clock::duration>(core_.options.read_timeout, connection_constants::kMaxLinger);
  if constexpr (kTls) {
    // close_notify, then wait (until the linger deadline) for the client's:
    // the TLS counterpart of a half-close followed by draining reads.
    stream_.async_shutdown([self = this->shared_from_this()](const error_code&) {
      if (self->phase_ != Phase::closed) self->close();
    });
  } else {
    error_code ec;
    socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) {
      close();
      return;
    }
    buffer_.clear();
    linger_read();
  }
}

template <class Stream>
void Connection<Stream>::linger_read() {
  stream_.async_read_some(buffer_.prepare(connection_constants::kHeadReadSize),
                          [self = this->shared_from_this()](const error_code& ec, std::size_t) {
                            if (self->phase_ == Phase::closed) return;
                            if (ec) {
                              self->close();  // the client closed too: done
                              return;
                            }
                            self->linger_read();  // discard: prepare() reuses the same bytes
                          });
}

template <class Stream>
void Connection<Stream>::check_deadline(Clock::time_point now) {
  if (now < deadline_) return;
  switch (phase_) {
    case Phase::reading:
      if (!request_started_) {
        close();  // idle keep-alive, or a new connection that never spoke
      } else if (!timed_out_) {
        // Let the pending read complete (aborted) and answer 408 from there,
        // so the read and the response never overlap.
        timed_out_ = true;
        error_code ec;
        socket().cancel(ec);
      }
      break;
    case Phase::handshaking:
      if constexpr (kTls) {
        note_tls_handshake_failure(core_, boost::asio::error::timed_out, request_.remote_address);
      }
      close();
      break;
    case Phase::writing:
    case Phase::lingering:
      close();
      break;
    case Phase::created:
    case Phase::handling:
    case Phase::closed:
      break;
  }
}

template <class Stream>
void Connection<Stream>::close_if_idle() noexcept {
  if ((phase_ == Phase::reading && !request_started_) || phase_ == Phase::handshaking) close();
}

template <class Stream>
void Connection<Stream>::close() noexcept {
  if (phase_ == Phase::closed || phase_ == Phase::created) return;
  phase_ = Phase::closed;
  error_code ec;
  socket().close(ec);
  io_.remove(*this);
  end_accounting(499, Clock::now());
  core_.observer.on_connection_close();
  core_.connection_closed();
}

}  // namespace promptsales::http::detail
