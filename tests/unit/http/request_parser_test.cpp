// RequestParser's limits when a request head arrives in several reads, as it
// does from a real socket (the fuzzer's pieces, the server's 4 KiB reads).

#include <string>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <catch2/catch.hpp>

#include "../../../core/common/src/http/request_parser.hpp"

using promptsales::http::Request;
using promptsales::http::detail::RequestParser;

namespace {

/// Feeds `wire` in pieces of `piece` bytes, as a connection does; returns the
/// first error (or need_more / success).
boost::system::error_code feed(RequestParser& parser, const std::string& wire, std::size_t piece) {
  std::size_t consumed = 0, available = 0;
  boost::system::error_code ec;
  while (!parser.is_done()) {
    if (available == wire.size() && consumed == available) return boost::beast::http::error::need_more;
    available = std::min(wire.size(), available + piece);
    for (;;) {
      const std::size_t used = parser.put(boost::asio::buffer(wire.data() + consumed, available - consumed), ec);
      consumed += used;
      if (ec == boost::beast::http::error::need_more) break;
      if (ec) return ec;
      if (parser.is_done() || used == 0) break;
    }
  }
  return ec;
}

std::string head_with_fields(int count) {
  std::string wire = "GET /healthz HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < count; ++i) wire += "X-H" + std::to_string(i) + ": v\r\n";
  return wire + "\r\n";
}

}  // namespace

TEST_CASE("the header limit covers a head that arrives in several reads") {
  const std::string wire = head_with_fields(400);  // about 4.3 KB of short lines
  REQUIRE(wire.size() > 4096);
  for (const std::size_t piece : {std::size_t{64}, std::size_t{1000}, std::size_t{4096}}) {
    INFO("read size " << piece);
    Request request;
    RequestParser parser(request, 4096, 65536);
    CHECK(feed(parser, wire, piece) == boost::beast::http::error::header_limit);
  }
}

TEST_CASE("a head within the header limit parses whatever the read size") {
  const std::string wire = head_with_fields(300);  // about 3.2 KB
  REQUIRE(wire.size() < 4096);
  for (const std::size_t piece : {std::size_t{1}, std::size_t{64}, std::size_t{4096}}) {
    Request request;
    RequestParser parser(request, 4096, 65536);
    CHECK_FALSE(feed(parser, wire, piece));
    CHECK(parser.is_done());
    CHECK(request.headers.size() == 301);
  }
}
