// HTTP/1.x requests off the wire, fed to RequestParser the way a Connection
// does: bytes arrive in pieces, unconsumed bytes stay buffered, and after a
// complete request the next one (pipelined) starts with a fresh parser. The
// target of each parsed request then goes through parse_target.
//
// Input: byte 0 picks the header limit, byte 1 the body limit, byte 2 the
// read size; the rest is the byte stream from the client.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>

#include "fuzz_check.hpp"
#include "promptsales/common/http/message.hpp"
#include "request_id.hpp"
#include "request_parser.hpp"

namespace {

using promptsales::http::Request;
using promptsales::http::detail::RequestParser;
namespace beast_http = boost::beast::http;

/// Pipelined requests parsed per input at most; more adds nothing.
constexpr int kMaxRequests = 16;

bool is_lower_token(std::string_view name) {
  return std::none_of(name.begin(), name.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

void check_request(const Request& request, const RequestParser& parser, std::size_t max_header,
                   std::size_t max_body) {
  FUZZ_CHECK(request.body.size() <= max_body);
  // The header limit holds for the whole head, however it was split.
  std::size_t head = request.target.size();
  for (const auto& [name, value] : request.headers) head += name.size() + value.size();
  FUZZ_CHECK(head <= max_header);
  FUZZ_CHECK(parser.version() == 10 || parser.version() == 11);
  for (const auto& [name, value] : request.headers) FUZZ_CHECK(is_lower_token(name));
  // A request id from the client is only kept when it is safe to log and echo.
  FUZZ_CHECK(request.request_id.empty() ||
             promptsales::http::detail::acceptable_request_id(request.request_id));

  std::string path;
  promptsales::http::Fields query;
  if (promptsales::http::parse_target(request.target, path, query)) {
    FUZZ_CHECK(!path.empty() && path.front() == '/');
    FUZZ_CHECK(path.find('\0') == std::string::npos);
    for (const auto& [key, value] : query) {
      FUZZ_CHECK(key.find('\0') == std::string::npos && value.find('\0') == std::string::npos);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  const std::size_t max_header = 64 + std::size_t{data[0]} * 32;  // 64 .. 8224
  const std::size_t max_body = std::size_t{data[1]} * 16;         // 0 .. 4080
  const std::size_t read_size = 1 + data[2] % 64;
  const std::string_view stream(reinterpret_cast<const char*>(data + 3), size - 3);

  std::size_t consumed = 0;   // bytes the parsers used
  std::size_t available = 0;  // bytes "received" so far
  for (int n = 0; n < kMaxRequests; ++n) {
    Request request;
    RequestParser parser(request, max_header, max_body);
    boost::system::error_code ec;
    bool done = false;
    while (!done) {
      if (consumed == available) {
        if (available == stream.size()) {
          parser.put_eof(ec);  // the client closed: a partial request is an error
          return 0;
        }
        available = std::min(stream.size(), available + read_size);
      }
      const std::size_t used =
          parser.put(boost::asio::buffer(stream.data() + consumed, available - consumed), ec);
      FUZZ_CHECK(used <= available - consumed);
      consumed += used;
      if (ec == beast_http::error::need_more) {
        if (available == stream.size() && consumed < available && used == 0) {
          parser.put_eof(ec);
          return 0;
        }
        if (consumed < available && used == 0) available = std::min(stream.size(), available + read_size);
        continue;
      }
      if (ec) return 0;  // the server answers 400/413/431 and closes
      done = parser.is_done();
      if (!done && used == 0) {
        if (available == stream.size()) return 0;
        available = std::min(stream.size(), available + read_size);
      }
    }
    check_request(request, parser, max_header, max_body);
    if (!parser.keep_alive()) return 0;
  }
  return 0;
}
