#pragma once
/// One keep-alive HTTP/1.1 client connection of the load generator.

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstddef>
#include <string>
#include <vector>

#include "promptsales/common/loadgen/response_parser.hpp"
#include "promptsales/common/loadgen/run_result.hpp"
#include "run_plan.hpp"

namespace promptsales::loadgen::detail {

class Worker;

/// Sends one request at a time and reads its response, forever: a failure is
/// counted and answered by reconnecting (with backoff only when the connect
/// itself fails). Driven by plain callbacks on its worker's event loop, which
/// is single-threaded, so nothing here locks.
class Connection {
 public:
  /// `index` is the connection's number over the whole run; it staggers the
  /// paced schedules so that the total rate is evenly spread in time.
  Connection(Worker& worker, unsigned index);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  /// Connects and starts the request loop.
  void start();
  /// Aborts a connect, write or read that passed its deadline.
  void check_deadline(Clock::time_point now);

 private:
  enum class Phase { idle, connecting, backing_off, pacing, writing, reading };

  void connect();
  void on_connected(const boost::system::error_code& ec);
  void back_off();
  void next_request();
  void send(Clock::time_point intended, Clock::time_point now);
  void on_written(const boost::system::error_code& ec);
  void read();
  void on_read(const boost::system::error_code& ec, std::size_t bytes);
  void fail(ErrorKind kind, Clock::time_point now);
  void close_socket();

  Worker& worker_;
  const RunPlan& plan_;
  unsigned index_;
  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer timer_;  // pacing and reconnect backoff
  std::vector<char> buffer_;         // unparsed response bytes
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
  std::string scratch_;  // request bytes when they are not prerendered
  ResponseParser parser_;
  Phase phase_ = Phase::idle;
  bool timed_out_ = false;
  std::size_t response_bytes_ = 0;
  Clock::time_point intended_;  // latency is measured from here
  Clock::time_point deadline_;
  Clock::time_point next_slot_;
  Clock::duration backoff_;
};

}  // namespace promptsales::loadgen::detail
