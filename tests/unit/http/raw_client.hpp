#pragma once
// A blocking HTTP/1.1 test client over plain POSIX sockets, so tests control
// every byte on the wire (pipelining, partial requests, slow clients) and
// compile without Asio. Every read has a timeout: a broken server fails a
// test instead of hanging it.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace promptsales::http::test {

/// A parsed response as seen on the wire.
struct RawResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  ///< lower-cased names
  std::string body;

  /// Header value, or "" when absent.
  std::string header(const std::string& name) const {
    const auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

/// What a read ended with when it got no complete response.
enum class ReadEnd { response, closed, timeout };

/// One TCP connection to 127.0.0.1.
class RawClient {
 public:
  /// Connects; throws std::runtime_error (with errno) when refused.
  explicit RawClient(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) throw std::runtime_error("socket failed");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
      const int error = errno;
      ::close(fd_);
      fd_ = -1;
      throw std::runtime_error("connect failed: errno " + std::to_string(error));
    }
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  ~RawClient() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  /// True when a connection to `port` is refused right now.
  static bool refused(std::uint16_t port) {
    try {
      RawClient probe(port);
      return false;
    } catch (const std::runtime_error&) {
      return true;
    }
  }

  /// Writes all of `bytes`; false if the peer is gone.
  bool send(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  /// Reads one response. `head_request` means the body is not sent.
  std::optional<RawResponse> read_response(std::chrono::milliseconds timeout = std::chrono::seconds(5),
                                           bool head_request = false) {
    last_end_ = ReadEnd::response;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::size_t head_end;
    while ((head_end = pending_.find("\r\n\r\n")) == std::string::npos) {
      if (!fill(deadline)) return std::nullopt;
    }
    RawResponse response;
    const std::string head = pending_.substr(0, head_end);
    pending_.erase(0, head_end + 4);
    std::size_t line_end = head.find("\r\n");
    const std::string status_line = head.substr(0, line_end);
    response.status = std::stoi(status_line.substr(9, 3));
    while (line_end != std::string::npos) {
      const std::size_t start = line_end + 2;
      line_end = head.find("\r\n", start);
      const std::string line = head.substr(start, line_end == std::string::npos ? std::string::npos : line_end - start);
      const std::size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      response.headers[name] = value;
    }
    if (response.status == 100) return read_response(timeout, head_request);  // interim
    std::size_t length = 0;
    if (!head_request && response.headers.count("content-length") != 0) {
      length = std::stoul(response.headers["content-length"]);
    }
    while (pending_.size() < length) {
      if (!fill(deadline)) return std::nullopt;
    }
    response.body = pending_.substr(0, length);
    pending_.erase(0, length);
    return response;
  }

  /// Sends `request` and reads its response.
  std::optional<RawResponse> roundtrip(std::string_view request) {
    if (!send(request)) return std::nullopt;
    return read_response(std::chrono::seconds(5), request.substr(0, 5) == "HEAD ");
  }

  /// True if the server closes the connection (EOF or reset) within `timeout`
  /// without sending anything more.
  bool closed_within(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      if (!fill(deadline)) return last_end_ == ReadEnd::closed;
    }
  }

  /// Reads until `marker` has arrived and drops everything up to and
  /// including it; false on close or timeout.
  bool expect_bytes(std::string_view marker, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::size_t at;
    while ((at = pending_.find(marker)) == std::string::npos) {
      if (!fill(deadline)) return false;
    }
    pending_.erase(0, at + marker.size());
    return true;
  }

  /// How the last failed read ended.
  ReadEnd last_end() const { return last_end_; }
  /// Bytes received but not yet returned as part of a response.
  const std::string& pending() const { return pending_; }

 private:
  /// Appends what arrives before `deadline`; false on EOF, error or timeout.
  bool fill(std::chrono::steady_clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      last_end_ = ReadEnd::timeout;
      return false;
    }
    pollfd p{fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready == 0) {
      last_end_ = ReadEnd::timeout;
      return false;
    }
    char buffer[16384];
    const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n <= 0) {
      last_end_ = ReadEnd::closed;
      return false;
    }
    pending_.append(buffer, static_cast<std::size_t>(n));
    return true;
  }

  int fd_ = -1;
  std::string pending_;
  ReadEnd last_end_ = ReadEnd::response;
};

/// "GET {target} HTTP/1.1" with a Host header and any `extra` header lines.
inline std::string get_request(std::string_view target, std::string_view extra = {}) {
  std::string request = "GET ";
  request.append(target);
  request.append(" HTTP/1.1\r\nHost: test\r\n");
  request.append(extra);
  request.append("\r\n");
  return request;
}

}  // namespace promptsales::http::test
