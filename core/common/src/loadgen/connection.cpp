#include "connection.hpp"

#include <algorithm>
#include <boost/asio/write.hpp>
#include <cstring>

#include "worker.hpp"

namespace promptsales::loadgen::detail {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

// Bodies are skipped, never buffered whole, so the buffer only has to hold a
// response head: it starts small (thousands of connections stay cheap) and
// grows up to the parser's head limit for unusually large heads.
constexpr std::size_t kInitialBuffer = 16 * 1024;

// Reconnect backoff after a failed connect, so that a server that is down
// costs a few attempts per second per connection rather than a busy loop.
constexpr Clock::duration kMinBackoff = std::chrono::milliseconds(10);
constexpr Clock::duration kMaxBackoff = std::chrono::milliseconds(1000);

// The server went away between responses (idle close, restart, reset).
bool is_peer_close(const error_code& ec) {
  return ec == asio::error::eof || ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == asio::error::connection_aborted;
}

}  // namespace

Connection::Connection(Worker& worker, unsigned index)
    : worker_(worker),
      plan_(worker.plan()),
      index_(index),
      socket_(worker.io()),
      timer_(worker.io()),
      buffer_(kInitialBuffer),
      backoff_(kMinBackoff) {}

void Connection::start() {
  next_slot_ = plan_.start + plan_.stagger * index_;
  connect();
}

void Connection::check_deadline(Clock::time_point now) {
  const bool waiting_on_server = phase_ == Phase::connecting || phase_ == Phase::writing || phase_ == Phase::reading;
  if (waiting_on_server && !timed_out_ && now >= deadline_) {
    // Closing makes the pending operation complete (aborted); its handler
    // sees timed_out_ and counts the timeout.
    timed_out_ = true;
    close_socket();
  }
}

void Connection::close_socket() {
  error_code ignored;
  socket_.close(ignored);
}

void Connection::connect() {
  close_socket();
  phase_ = Phase::connecting;
  timed_out_ = false;
  deadline_ = Clock::now() + plan_.timeout;
  socket_.async_connect(plan_.endpoint, [this](const error_code& ec) { on_connected(ec); });
}

void Connection::on_connected(const error_code& ec) {
  if (ec || timed_out_) {
    worker_.record_error(ErrorKind::connect, Clock::now());
    back_off();
    return;
  }
  backoff_ = kMinBackoff;
  error_code ignored;
  // Requests are one small write each: never let Nagle hold them back.
  socket_.set_option(tcp::no_delay(true), ignored);
  worker_.record_connect();
  next_request();
}

void Connection::back_off() {
  close_socket();
  phase_ = Phase::backing_off;
  timer_.expires_after(backoff_);
  backoff_ = std::min(backoff_ * 2, kMaxBackoff);
  timer_.async_wait([this](const error_code& ec) {
    if (!ec) {
      connect();
    }
  });
}

void Connection::next_request() {
  begin_ = end_ = 0;
  response_bytes_ = 0;
  parser_.reset();
  const auto now = Clock::now();
  if (plan_.interval == Clock::duration::zero()) {
    send(now, now);
    return;
  }
  // Slots are never skipped: a late request keeps its scheduled time, so its
  // latency includes the delay a real client would have waited (no
  // coordinated omission).
  const Clock::time_point slot = next_slot_;
  next_slot_ += plan_.interval;
  if (slot <= now) {
    send(slot, now);
    return;
  }
  phase_ = Phase::pacing;
  timer_.expires_at(slot);
  timer_.async_wait([this, slot](const error_code& ec) {
    if (!ec) {
      send(slot, Clock::now());
    }
  });
}

void Connection::send(Clock::time_point intended, Clock::time_point now) {
  intended_ = intended;
  deadline_ = now + plan_.timeout;
  phase_ = Phase::writing;
  const std::string_view request = plan_.requests->request(worker_.next_sequence(), scratch_);
  asio::async_write(socket_, asio::buffer(request.data(), request.size()),
                    [this](const error_code& ec, std::size_t) { on_written(ec); });
}

void Connection::on_written(const error_code& ec) {
  if (timed_out_) {
    fail(ErrorKind::timeout, Clock::now());
    return;
  }
  if (ec) {
    fail(is_peer_close(ec) ? ErrorKind::closed : ErrorKind::write, Clock::now());
    return;
  }
  phase_ = Phase::reading;
  read();
}

void Connection::read() {
  socket_.async_read_some(asio::buffer(buffer_.data() + end_, buffer_.size() - end_),
                          [this](const error_code& ec, std::size_t bytes) { on_read(ec, bytes); });
}

void Connection::on_read(const error_code& ec, std::size_t bytes) {
  const auto now = Clock::now();
  if (timed_out_) {
    fail(ErrorKind::timeout, now);
    return;
  }
  if (ec) {
    if (ec == asio::error::eof && parser_.finish_at_eof()) {
      worker_.record_response(parser_.status(), intended_, now);
      connect();
      return;
    }
    // Nothing of the response arrived: the server closed an idle keep-alive
    // connection (or crashed) rather than failing mid-response.
    const bool nothing_received = response_bytes_ == 0;
    fail(nothing_received && is_peer_close(ec) ? ErrorKind::closed : ErrorKind::read, now);
    return;
  }
  response_bytes_ += bytes;
  worker_.record_bytes(bytes, now);
  end_ += bytes;
  const ResponseParser::Step step = parser_.feed(buffer_.data() + begin_, end_ - begin_);
  begin_ += step.consumed;
  switch (step.state) {
    case ResponseParser::State::complete:
      // Requests are not pipelined, so anything after the response is garbage.
      if (begin_ != end_) {
        fail(ErrorKind::protocol, now);
        return;
      }
      worker_.record_response(parser_.status(), intended_, now);
      if (parser_.keep_alive()) {
        next_request();
      } else {
        connect();
      }
      return;
    case ResponseParser::State::error:
      fail(ErrorKind::protocol, now);
      return;
    case ResponseParser::State::need_more:
      break;
  }
  if (begin_ == end_) {
    begin_ = end_ = 0;
  } else if (end_ == buffer_.size()) {
    if (begin_ > 0) {
      std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
      end_ -= begin_;
      begin_ = 0;
    } else if (buffer_.size() < ResponseParser::kMaxHeadBytes) {
      buffer_.resize(std::min(buffer_.size() * 2, ResponseParser::kMaxHeadBytes));
    } else {
      fail(ErrorKind::protocol, now);  // the parser's head limit, reached
      return;
    }
  }
  read();
}

void Connection::fail(ErrorKind kind, Clock::time_point now) {
  worker_.record_error(kind, now);
  connect();
}

}  // namespace promptsales::loadgen::detail
