#include "probe.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <string>

#include "promptsales/common/errors.hpp"

namespace promptsales::loadgen::detail {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

tcp::endpoint find_reachable_endpoint(const UrlTemplate& url, std::chrono::milliseconds timeout) {
  asio::io_context io;
  tcp::resolver resolver(io);
  boost::system::error_code ec;
  const auto results = resolver.resolve(url.host(), std::to_string(url.port()), tcp::resolver::numeric_service, ec);
  if (ec) {
    throw Unavailable("cannot resolve the host of " + url.text() + ": " + ec.message());
  }
  std::string last_error = "no address found";
  for (const auto& entry : results) {
    tcp::socket socket(io);
    asio::steady_timer timer(io, timeout);
    boost::system::error_code connect_ec;
    bool timed_out = false;
    socket.async_connect(entry.endpoint(), [&](const boost::system::error_code& e) {
      connect_ec = e;
      timer.cancel();
    });
    timer.async_wait([&](const boost::system::error_code& e) {
      if (!e) {
        timed_out = true;
        boost::system::error_code ignored;
        socket.close(ignored);
      }
    });
    io.restart();
    io.run();
    if (!timed_out && !connect_ec) {
      return entry.endpoint();
    }
    last_error = timed_out ? "connect timed out after " + std::to_string(timeout.count()) + " ms" : connect_ec.message();
  }
  throw Unavailable("cannot connect to " + url.text() + ": " + last_error);
}

}  // namespace promptsales::loadgen::detail
