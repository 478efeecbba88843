#include "connection.hpp"

#include <algorithm>
#include <array>
#include <chrono>

#include <boost/beast/http/error.hpp>

#include "invoke.hpp"
#include "io_thread.hpp"
#include "request_id.hpp"
#include "response_head.hpp"
#include "server_core.hpp"

namespace promptsales::http::detail {
namespace {

namespace beast_http = boost::beast::http;

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

}  // namespace

Connection::Connection(ServerCore& core, IoThread& io, Socket socket)
    : core_(core), io_(io), socket_(std::move(socket)), executor_(socket_.get_executor()) {}

void Connection::start() {
  io_.add(*this);
  core_.observer.on_connection_open();
  error_code ec;
  const auto remote = socket_.remote_endpoint(ec);
  if (!ec) request_.remote_address = remote.address().to_string();
  request_started_ = false;
  // A new connection must send its first request within read_timeout.
  deadline_ = Clock::now() + core_.options.read_timeout;
  read_more();
}

void Connection::read_more() {
  phase_ = Phase::reading;
  const bool body_pending = parser_ && parser_->is_header_done();
  socket_.async_read_some(buffer_.prepare(body_pending ? kBodyReadSize : kHeadReadSize),
                          [self = shared_from_this()](const error_code& ec, std::size_t bytes) {
                            self->on_read(ec, bytes);
                          });
}

void Connection::on_read(const error_code& ec, std::size_t bytes) {
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

void Connection::begin_request(Clock::time_point now) {
  request_started_ = true;
  request_start_ = now;
  deadline_ = now + core_.options.read_timeout;
  continue_sent_ = false;
  route_ = nullptr;
  route_name_ = kUnmatched;
  // Clear rather than reassign so the strings and vectors keep their capacity.
  request_.method = Method::other;
  request_.target.clear();
  request_.headers.clear();
  request_.path_params.clear();
  request_.request_id.clear();
  if (request_.body.capacity() > kKeptBodyCapacity) {
    std::string().swap(request_.body);
  } else {
    request_.body.clear();
  }
  parser_.emplace(request_, core_.options.max_header_bytes, core_.options.max_body_bytes);
}

void Connection::parse() {
  while (buffer_.size() > 0) {
    error_code ec;
    const std::size_t used = parser_->put(buffer_.data(), ec);
    buffer_.consume(used);
    if (ec == beast_http::error::need_more) break;
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

void Connection::await_more_input() {
  if (parser_->is_header_done() && parser_->expects_continue() && !continue_sent_) {
    send_continue();
    return;
  }
  read_more();
}

void Connection::send_continue() {
  // The client holds the body back until it sees this interim response.
  continue_sent_ = true;
  asio::async_write(socket_, asio::buffer(kContinue),
                    [self = shared_from_this()](const error_code& ec, std::size_t) {
                      if (self->phase_ == Phase::closed) return;
                      if (self->timed_out_ || ec) {
                        self->close();
                        return;
                      }
                      self->read_more();
                    });
}

void Connection::begin_accounting() {
  in_flight_ = true;
  metric_method_ = request_.method;
  core_.observer.on_request_start();
  if (request_.request_id.empty()) generate_request_id(request_.request_id);
}

void Connection::end_accounting(int status, Clock::time_point now) noexcept {
  if (!in_flight_) return;
  in_flight_ = false;
  const double seconds = std::chrono::duration<double>(now - request_start_).count();
  core_.observer.on_request_end(route_name_, metric_method_, status, seconds);
}

void Connection::dispatch() {
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
  if (!route_->handler.blocking) {
    send(invoke_blocking(*route_, request_));  // answers 500 at once; nothing blocks
    return;
  }
  run_blocking();
}

void Connection::run_blocking() {
  // The connection reads nothing while the handler runs, so the worker may
  // read request_ and write blocking_result_ without locks; the post back to
  // the I/O thread orders those accesses.
  asio::post(*core_.workers, [self = shared_from_this()]() mutable {
    self->blocking_result_ = invoke_blocking(*self->route_, self->request_);
    const Executor executor = self->executor_;
    asio::post(executor, [self = std::move(self)] { self->on_blocking_done(); });
  });
}

void Connection::on_blocking_done() {
  if (phase_ == Phase::closed) return;  // force-closed while the handler ran
  send(std::move(blocking_result_));
}

void Connection::respond_parse_error(const error_code& ec) {
  phase_ = Phase::handling;
  keep_alive_ = false;
  begin_accounting();
  if (ec == beast_http::error::header_limit) {
    send(Response::error(431, "header_too_large", "request header fields too large"));
  } else if (ec == beast_http::error::body_limit) {
    send(Response::error(413, "payload_too_large",
                         "request body exceeds " + std::to_string(core_.options.max_body_bytes) + " bytes"));
  } else {
    send(Response::error(400, "bad_request", "malformed HTTP request"));
  }
}

void Connection::respond_timeout() {
  timed_out_ = false;
  phase_ = Phase::handling;
  keep_alive_ = false;
  begin_accounting();
  send(Response::error(408, "request_timeout", "request not received in time"));
}

void Connection::send(Response&& response) {
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
  auto on_done = [self = shared_from_this()](const error_code& ec, std::size_t) { self->on_written(ec); };
  if (body_size > 0 && metric_method_ != Method::head) {
    // One gathered write; the body is sent from the shared string, uncopied.
    const std::array<asio::const_buffer, 2> buffers{asio::buffer(head_), asio::buffer(*body)};
    asio::async_write(socket_, buffers, std::move(on_done));
  } else {
    asio::async_write(socket_, asio::buffer(head_), std::move(on_done));
  }
}

void Connection::on_written(const error_code& ec) {
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
  if (buffer_.capacity() > kKeptBufferCapacity) buffer_.shrink_to_fit();
  deadline_ = now + core_.options.idle_timeout;
  read_more();
}

void Connection::start_linger() {
  phase_ = Phase::lingering;
  error_code ec;
  socket_.shutdown(tcp::socket::shutdown_send, ec);
  if (ec) {
    close();
    return;
  }
  deadline_ = Clock::now() + std::min<Clock::duration>(core_.options.read_timeout, kMaxLinger);
  buffer_.clear();
  linger_read();
}

void Connection::linger_read() {
  socket_.async_read_some(buffer_.prepare(kHeadReadSize),
                          [self = shared_from_this()](const error_code& ec, std::size_t) {
                            if (self->phase_ == Phase::closed) return;
                            if (ec) {
                              self->close();  // the client closed too: done
                              return;
                            }
                            self->linger_read();  // discard: prepare() reuses the same bytes
                          });
}

void Connection::check_deadline(Clock::time_point now) {
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
        socket_.cancel(ec);
      }
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

void Connection::close_if_idle() noexcept {
  if (phase_ == Phase::reading && !request_started_) close();
}

void Connection::close() noexcept {
  if (phase_ == Phase::closed || phase_ == Phase::created) return;
  phase_ = Phase::closed;
  error_code ec;
  socket_.close(ec);
  io_.remove(*this);
  end_accounting(499, Clock::now());
  core_.observer.on_connection_close();
  core_.connection_closed();
}

}  // namespace promptsales::http::detail
