#include "http_client.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <sstream>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

namespace promptsales::test {
namespace {

using Clock = std::chrono::steady_clock;

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return std::string(s);
}

std::string errno_text(const char* what, int err) {
  return std::string(what) + ": " + std::strerror(err);
}

void set_timeouts(int fd, std::chrono::milliseconds timeout) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

/// A connected socket or -errno.
int connect_loopback(int port, std::chrono::milliseconds timeout) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -errno;
  set_timeouts(fd, timeout);
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  for (;;) {
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) return fd;
    const int err = errno;
    if (err == EINTR) continue;
    ::close(fd);
    return -(err == EINPROGRESS ? ETIMEDOUT : err);
  }
}

void write_all(int fd, const std::string& data) {
  std::size_t off = 0;
  while (off < data.size()) {
    const auto n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw HttpError(errno_text("send", errno));
    }
    off += static_cast<std::size_t>(n);
  }
}

/// Reads more bytes into `buf`; false on EOF. Throws on errors and timeouts.
bool read_some(int fd, std::string& buf, Clock::time_point deadline) {
  char chunk[16384];
  for (;;) {
    if (Clock::now() > deadline) throw HttpError("timed out waiting for the response");
    const auto n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n > 0) {
      buf.append(chunk, static_cast<std::size_t>(n));
      return true;
    }
    if (n == 0) return false;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) throw HttpError("timed out waiting for the response");
    throw HttpError(errno_text("recv", errno));
  }
}

std::string serialize(const HttpRequest& r, int port, bool keep_alive) {
  std::string out = r.method + " " + r.target + " HTTP/1.1\r\n";
  out += "Host: 127.0.0.1:" + std::to_string(port) + "\r\n";
  bool has_length = false;
  for (const auto& [name, value] : r.headers) {
    if (iequals(name, "Content-Length")) has_length = true;
    out += name + ": " + value + "\r\n";
  }
  if (!has_length && (!r.body.empty() || r.method == "POST" || r.method == "PUT" || r.method == "PATCH")) {
    out += "Content-Length: " + std::to_string(r.body.size()) + "\r\n";
  }
  out += keep_alive ? "Connection: keep-alive\r\n" : "Connection: close\r\n";
  out += "\r\n";
  out += r.body;
  return out;
}

struct Parsed {
  HttpResponse response;
  bool must_close = false;
};

/// Reads one response from `fd`; `buf` holds bytes already read and keeps
/// those after the response.
Parsed read_response(int fd, std::string& buf, bool head_request, Clock::time_point deadline) {
  for (;;) {
    std::size_t end;
    while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
      if (!read_some(fd, buf, deadline)) {
        if (buf.empty()) throw HttpError("connection closed before a response");
        throw HttpError("connection closed inside the response head: " + buf.substr(0, 200));
      }
    }
    Parsed p;
    std::istringstream head(buf.substr(0, end));
    buf.erase(0, end + 4);
    std::string line;
    std::getline(head, line);
    line = trim(line);
    if (line.rfind("HTTP/1.", 0) != 0 || line.size() < 12) throw HttpError("malformed status line: " + line);
    try {
      p.response.status = std::stoi(line.substr(9, 3));
    } catch (const std::exception&) {
      throw HttpError("malformed status line: " + line);
    }
    p.response.reason = line.size() > 13 ? line.substr(13) : "";
    const bool http10 = line.rfind("HTTP/1.0", 0) == 0;
    while (std::getline(head, line)) {
      line = trim(line);
      if (line.empty()) continue;
      const auto colon = line.find(':');
      if (colon == std::string::npos) throw HttpError("malformed header line: " + line);
      p.response.headers.emplace_back(trim(std::string_view(line).substr(0, colon)),
                                      trim(std::string_view(line).substr(colon + 1)));
    }
    const int status = p.response.status;
    if (status >= 100 && status < 200) continue;  // interim response: the real one follows

    const auto connection = p.response.header("Connection");
    p.must_close =
        http10 ? !(connection && iequals(*connection, "keep-alive")) : (connection && iequals(*connection, "close"));
    const auto length = p.response.header("Content-Length");
    const auto encoding = p.response.header("Transfer-Encoding");
    if (head_request || status == 204 || status == 304) return p;
    if (encoding && iequals(*encoding, "chunked")) {
      for (;;) {
        std::size_t eol;
        while ((eol = buf.find("\r\n")) == std::string::npos) {
          if (!read_some(fd, buf, deadline)) throw HttpError("connection closed inside a chunked body");
        }
        const std::size_t size = std::stoul(buf.substr(0, eol), nullptr, 16);
        buf.erase(0, eol + 2);
        while (buf.size() < size + 2) {
          if (!read_some(fd, buf, deadline)) throw HttpError("connection closed inside a chunked body");
        }
        p.response.body.append(buf, 0, size);
        buf.erase(0, size + 2);
        if (size == 0) return p;  // (trailers are not supported)
      }
    }
    if (length) {
      std::size_t n = 0;
      try {
        n = std::stoul(*length);
      } catch (const std::exception&) {
        throw HttpError("malformed Content-Length: " + *length);
      }
      while (buf.size() < n) {
        if (!read_some(fd, buf, deadline)) {
          throw HttpError("connection closed after " + std::to_string(buf.size()) + " of " + std::to_string(n) +
                          " body bytes");
        }
      }
      p.response.body = buf.substr(0, n);
      buf.erase(0, n);
      return p;
    }
    // No length: the body runs to the end of the connection.
    while (read_some(fd, buf, deadline)) {
    }
    p.response.body = std::move(buf);
    buf.clear();
    p.must_close = true;
    return p;
  }
}

}  // namespace

std::optional<std::string> HttpResponse::header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (iequals(n, name)) return v;
  }
  return std::nullopt;
}

nlohmann::json HttpResponse::json() const {
  return nlohmann::json::parse(body, nullptr, false);
}

std::string HttpResponse::describe() const {
  std::ostringstream s;
  s << "HTTP " << status << " " << reason << "\n";
  for (const auto& [n, v] : headers) s << n << ": " << v << "\n";
  s << "\n" << body.substr(0, 2000) << (body.size() > 2000 ? "...(truncated)" : "");
  return s.str();
}

HttpResponse http_request(int port, const HttpRequest& request, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  const int fd = connect_loopback(port, timeout);
  if (fd < 0) throw HttpError(errno_text(("connect to 127.0.0.1:" + std::to_string(port)).c_str(), -fd));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  std::string write_error;
  try {
    write_all(fd, serialize(request, port, /*keep_alive=*/false));
  } catch (const HttpError& e) {
    // The server may answer (413, 431) and close before reading everything:
    // its response is still worth reading.
    write_error = e.what();
  }
  std::string buf;
  try {
    return read_response(fd, buf, request.method == "HEAD", deadline).response;
  } catch (const HttpError& e) {
    if (!write_error.empty()) throw HttpError(std::string(e.what()) + " (after " + write_error + ")");
    throw;
  }
}

HttpResponse http_get(int port, const std::string& target, std::chrono::milliseconds timeout) {
  HttpRequest r;
  r.target = target;
  return http_request(port, r, timeout);
}

HttpResponse http_send(int port, const std::string& method, const std::string& target, const std::string& body,
                       std::chrono::milliseconds timeout) {
  HttpRequest r;
  r.method = method;
  r.target = target;
  r.body = body;
  if (!body.empty()) r.headers.emplace_back("Content-Type", "application/json");
  return http_request(port, r, timeout);
}

HttpConnection::HttpConnection(int port, std::chrono::milliseconds timeout) : port_(port), timeout_(timeout) {}

HttpConnection::~HttpConnection() {
  close_socket();
}

void HttpConnection::open() {
  const int fd = connect_loopback(port_, timeout_);
  if (fd < 0) throw HttpError(errno_text(("connect to 127.0.0.1:" + std::to_string(port_)).c_str(), -fd));
  fd_ = fd;
  ++opened_;
  buffered_.clear();
}

void HttpConnection::close_socket() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  buffered_.clear();
}

HttpResponse HttpConnection::request(const HttpRequest& request) {
  const auto deadline = Clock::now() + timeout_;
  if (fd_ < 0) open();
  try {
    write_all(fd_, serialize(request, port_, /*keep_alive=*/true));
    Parsed p = read_response(fd_, buffered_, request.method == "HEAD", deadline);
    if (p.must_close) close_socket();
    return std::move(p.response);
  } catch (...) {
    close_socket();
    throw;
  }
}

HttpResponse HttpConnection::get(const std::string& target) {
  HttpRequest r;
  r.target = target;
  return request(r);
}

std::string url_encode(std::string_view text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

int try_connect(int port, std::chrono::milliseconds timeout) {
  const int fd = connect_loopback(port, timeout);
  if (fd < 0) return -fd;
  ::close(fd);
  return 0;
}

}  // namespace promptsales::test
