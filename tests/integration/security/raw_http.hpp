#pragma once
// Hostile traffic for the security tests: request texts built byte by byte
// (malformed on purpose) and a raw TCP connection that sends them, reads the
// answer with a deadline and tells whether the server closed. Header-only:
// the test folder compiles only *_test.cpp files.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <strings.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "dev_auth.hpp"

namespace promptsales::security_test {

using test::DevAuth;

using Clock = std::chrono::steady_clock;
using HeaderLines = std::vector<std::string>;

/// Every request text of these tests is built here, so that a header every
/// request needs (a bearer token for /api/v1 once authentication is on) is
/// added in one place. `extra_headers` are whole lines without CRLF, sent as
/// given (malformed ones included). No Content-Length is added: tests that
/// send a body say what length they claim.
inline std::string raw_request(std::string_view method, std::string_view target, const HeaderLines& extra_headers = {},
                               std::string_view body = {}) {
  std::string text;
  text.append(method).append(" ").append(target).append(" HTTP/1.1\r\n");
  text.append("Host: 127.0.0.1\r\n");
  // The operator's token, so hostile input reaches the handlers behind the
  // auth guard (unless the test sends its own Authorization line).
  const bool own_authorization = std::any_of(extra_headers.begin(), extra_headers.end(), [](const std::string& line) {
    return line.size() >= 14 && strncasecmp(line.c_str(), "authorization:", 14) == 0;
  });
  if (!own_authorization) {
    text.append("Authorization: Bearer ").append(DevAuth::instance().operator_token()).append("\r\n");
  }
  for (const auto& line : extra_headers) text.append(line).append("\r\n");
  text.append("\r\n");
  text.append(body);
  return text;
}

/// `raw_request` with an honest Content-Length for `body`.
inline std::string raw_request_with_body(std::string_view method, std::string_view target, std::string_view body,
                                         HeaderLines extra_headers = {}) {
  extra_headers.push_back("Content-Type: application/json");
  extra_headers.push_back("Content-Length: " + std::to_string(body.size()));
  return raw_request(method, target, extra_headers, body);
}

struct RawResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  ///< names lower-cased
  std::string body;

  std::string header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
      if (key == name) return value;
    }
    return {};
  }
  std::string describe() const {
    return "HTTP " + std::to_string(status) + "\n" + body.substr(0, 1000);
  }
};

/// One TCP connection to 127.0.0.1:port.
class RawConnection {
 public:
  explicit RawConnection(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) throw std::runtime_error("socket failed");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
      const int error = errno;
      ::close(fd_);
      throw std::runtime_error("connect to port " + std::to_string(port) + " failed: errno " + std::to_string(error));
    }
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  ~RawConnection() { ::close(fd_); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  /// Writes all of `bytes`; false when the server is gone.
  bool send(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  /// Reads one response (Content-Length framed, as the server sends them);
  /// nullopt when the server closed or `timeout` passed first.
  std::optional<RawResponse> read_response(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    const auto deadline = Clock::now() + timeout;
    std::size_t head_end;
    while ((head_end = pending_.find("\r\n\r\n")) == std::string::npos) {
      if (!fill(deadline)) return std::nullopt;
    }
    RawResponse response;
    const std::string head = pending_.substr(0, head_end);
    pending_.erase(0, head_end + 4);
    if (head.size() < 12 || head.compare(0, 5, "HTTP/") != 0) throw std::runtime_error("not HTTP: " + head);
    response.status = std::stoi(head.substr(9, 3));
    std::size_t line_end = head.find("\r\n");
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
      response.headers.emplace_back(std::move(name), std::move(value));
    }
    if (response.status == 100) return read_response(timeout);
    const std::string length = response.header("content-length");
    const std::size_t size = length.empty() ? 0 : std::stoul(length);
    while (pending_.size() < size) {
      if (!fill(deadline)) return std::nullopt;
    }
    response.body = pending_.substr(0, size);
    pending_.erase(0, size);
    return response;
  }

  /// True when the server closes (EOF or reset) within `timeout`; bytes
  /// that arrive meanwhile are kept for read_response.
  bool closed_within(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (fill(deadline)) {
    }
    return closed_;
  }

 private:
  bool fill(Clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) return false;
    char buffer[16384];
    const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n <= 0) {
      closed_ = true;
      return false;
    }
    pending_.append(buffer, static_cast<std::size_t>(n));
    return true;
  }

  int fd_ = -1;
  std::string pending_;
  bool closed_ = false;
};

/// Sends `request` on a new connection and reads the answer (FAILs when
/// none comes within `timeout`).
inline RawResponse roundtrip(int port, std::string_view request,
                            std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  RawConnection connection(port);
  connection.send(request);
  auto response = connection.read_response(timeout);
  INFO("request: " << request.substr(0, 300));
  REQUIRE(response.has_value());
  return *response;
}

/// A client error in the API's shape: a 4xx (or `status` when given) with
/// a JSON body {"error":{"code":"...","message":"..."}}.
inline void expect_client_error(const RawResponse& r, std::optional<int> status = std::nullopt) {
  INFO(r.describe());
  if (status) {
    CHECK(r.status == *status);
  } else {
    CHECK(r.status >= 400);
    CHECK(r.status < 500);
  }
  CHECK(r.header("content-type").find("application/json") != std::string::npos);
  const auto j = nlohmann::json::parse(r.body, nullptr, false);
  REQUIRE(j.is_object());
  REQUIRE(j.contains("error"));
  CHECK(j["error"]["code"].is_string());
  CHECK(j["error"]["message"].is_string());
}

}  // namespace promptsales::security_test
