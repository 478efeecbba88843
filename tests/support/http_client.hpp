#pragma once
/// A tiny blocking HTTP/1.1 client over POSIX sockets for end-to-end tests of
/// `promptsales serve`: no TLS, no redirects, loopback only. Transport
/// failures (refused, reset, timeout, malformed response) throw HttpError;
/// any HTTP status is a normal result.

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace promptsales::test {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "GET";
  std::string target = "/";
  HttpHeaders headers;  ///< Host, Content-Length and Connection are added
  std::string body;
};

struct HttpResponse {
  int status = 0;
  std::string reason;
  HttpHeaders headers;
  std::string body;

  /// The first header of that name (case-insensitive).
  std::optional<std::string> header(std::string_view name) const;
  /// The body parsed as JSON; a discarded value when it is not JSON.
  nlohmann::json json() const;
  /// "HTTP 404 Not Found\n<headers>\n<body (first 2000 bytes)>", for INFO().
  std::string describe() const;
};

class HttpError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// One request on a new connection to 127.0.0.1:`port`, with `Connection: close`.
/// `timeout` bounds connecting, each read and each write (SO_RCVTIMEO/SO_SNDTIMEO)
/// and the whole exchange.
HttpResponse http_request(int port, const HttpRequest& request,
                          std::chrono::milliseconds timeout = std::chrono::seconds(10));
/// GET `target` on a new connection.
HttpResponse http_get(int port, const std::string& target,
                      std::chrono::milliseconds timeout = std::chrono::seconds(10));
/// `method` `target` with a JSON body (Content-Type: application/json) when `body` is not empty.
HttpResponse http_send(int port, const std::string& method, const std::string& target, const std::string& body = {},
                       std::chrono::milliseconds timeout = std::chrono::seconds(10));

/// A keep-alive connection: requests go one after another on one socket,
/// which is reopened when the server closes it (after `Connection: close`).
/// Not thread-safe: one per thread.
class HttpConnection {
 public:
  explicit HttpConnection(int port, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  HttpResponse request(const HttpRequest& request);
  HttpResponse get(const std::string& target);
  /// Connections opened so far (1 after the first request).
  int connections_opened() const { return opened_; }

 private:
  void open();
  void close_socket();

  int port_;
  std::chrono::milliseconds timeout_;
  int fd_ = -1;
  int opened_ = 0;
  std::string buffered_;  ///< bytes read past the previous response
};

/// Percent-encodes everything but unreserved characters (RFC 3986), for
/// query parameter values.
std::string url_encode(std::string_view text);

/// Result of a bare TCP connect to 127.0.0.1:`port`: 0 when it connected,
/// else the errno (ECONNREFUSED when nothing listens, ETIMEDOUT, ...).
int try_connect(int port, std::chrono::milliseconds timeout = std::chrono::seconds(1));

}  // namespace promptsales::test
