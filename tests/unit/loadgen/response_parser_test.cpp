#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "promptsales/common/loadgen/response_parser.hpp"

using promptsales::loadgen::ResponseParser;
using State = ResponseParser::State;

namespace {

struct Parsed {
  std::vector<int> statuses;
  std::vector<bool> keep_alive;
  bool error = false;
};

// Feeds `wire` in pieces of `piece` bytes, keeping unconsumed bytes the way a
// connection's buffer does, and collects every complete response.
Parsed parse_stream(const std::string& wire, std::size_t piece, bool eof_at_end = false) {
  Parsed out;
  ResponseParser parser;
  std::string pending;
  for (std::size_t at = 0; at < wire.size(); at += piece) {
    pending += wire.substr(at, piece);
    while (!pending.empty()) {
      const auto step = parser.feed(pending.data(), pending.size());
      pending.erase(0, step.consumed);
      if (step.state == State::error) {
        out.error = true;
        return out;
      }
      if (step.state == State::need_more) {
        break;
      }
      out.statuses.push_back(parser.status());
      out.keep_alive.push_back(parser.keep_alive());
      parser.reset();
    }
  }
  if (eof_at_end && parser.finish_at_eof()) {
    out.statuses.push_back(parser.status());
    out.keep_alive.push_back(parser.keep_alive());
  }
  return out;
}

const std::string kLength = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 12\r\n\r\n{\"items\":[]}";
const std::string kChunked =
    "HTTP/1.1 404 Not Found\r\ntransfer-encoding: gzip, Chunked\r\n\r\n"
    "5;name=value\r\nhello\r\nA\r\n0123456789\r\n0\r\nX-Trailer: yes\r\n\r\n";
const std::string kNoContent = "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n";
const std::string kClose = "HTTP/1.1 500 Oops\r\nConnection: close\r\nContent-Length: 3\r\n\r\nbad";

}  // namespace

TEST_CASE("parser frames Content-Length, chunked and bodiless responses at every split", "[parser]") {
  const std::string wire = kLength + kChunked + kNoContent + kLength + kClose;
  for (std::size_t piece = 1; piece <= wire.size(); ++piece) {
    const Parsed p = parse_stream(wire, piece);
    INFO("piece " << piece);
    REQUIRE_FALSE(p.error);
    REQUIRE(p.statuses == std::vector<int>{200, 404, 204, 200, 500});
    CHECK(p.keep_alive == std::vector<bool>{true, true, true, true, false});
  }
}

TEST_CASE("parser skips interim 100 responses", "[parser]") {
  const Parsed p = parse_stream("HTTP/1.1 100 Continue\r\n\r\n" + kLength, 3);
  CHECK(p.statuses == std::vector<int>{200});
}

TEST_CASE("parser handles HTTP/1.0 keep-alive rules", "[parser]") {
  const Parsed closes = parse_stream("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", 4);
  CHECK(closes.statuses == std::vector<int>{200});
  CHECK(closes.keep_alive == std::vector<bool>{false});
  const Parsed keeps = parse_stream("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 2\r\n\r\nok", 4);
  CHECK(keeps.keep_alive == std::vector<bool>{true});
}

TEST_CASE("parser ends a body without length at end of stream", "[parser]") {
  const std::string wire = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the server closes";
  const Parsed open = parse_stream(wire, 5);
  CHECK(open.statuses.empty());
  const Parsed closed = parse_stream(wire, 5, true);
  CHECK(closed.statuses == std::vector<int>{200});
  CHECK(closed.keep_alive == std::vector<bool>{false});
}

TEST_CASE("parser accepts bare LF line endings", "[parser]") {
  const Parsed p = parse_stream("HTTP/1.1 200 OK\nContent-Length: 2\n\nok", 1);
  CHECK(p.statuses == std::vector<int>{200});
}

TEST_CASE("parser rejects malformed responses", "[parser]") {
  const char* bad[] = {
      "HTTP/2 200 OK\r\n\r\n",
      "HTTP/1.1 2x0 OK\r\n\r\n",
      "HTTP/1.1 700 Odd\r\nContent-Length: 0\r\n\r\n",
      "garbage\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 12a\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc",
      "HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXY\r\n0\r\n\r\n",
      "HTTP/1.1 101 Switching Protocols\r\n\r\n",
  };
  for (const char* wire : bad) {
    INFO(wire);
    CHECK(parse_stream(wire, 1).error);
    CHECK(parse_stream(wire, 1000).error);
  }
}

TEST_CASE("parser refuses a head larger than its limit", "[parser]") {
  std::string wire = "HTTP/1.1 200 OK\r\nX-Big: " + std::string(ResponseParser::kMaxHeadBytes, 'a');
  ResponseParser parser;
  const auto step = parser.feed(wire.data(), wire.size());
  CHECK(step.state == State::error);
}
