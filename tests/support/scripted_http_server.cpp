#include "scripted_http_server.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace promptsales::test {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    default: return "Status";
  }
}

void write_all(int fd, const std::string& data) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;
    sent += static_cast<std::size_t>(n);
  }
}

// Reads until `done` says the buffer is complete; false on EOF or a 10 s stall.
template <class Done>
bool read_until(int fd, std::string& buffer, Done done) {
  char chunk[65536];
  while (!done()) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 10000) <= 0) return false;
    const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer.append(chunk, static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace

ScriptedHttpServer::ScriptedHttpServer() {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  const int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listen_fd_, 64) != 0) {
    ::close(listen_fd_);
    throw std::runtime_error(std::string("bind/listen: ") + std::strerror(errno));
  }
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

ScriptedHttpServer::~ScriptedHttpServer() {
  stopping_ = true;
  stop_cv_.notify_all();
  ::shutdown(listen_fd_, SHUT_RDWR);
  if (acceptor_.joinable()) acceptor_.join();
  ::close(listen_fd_);
  std::vector<std::thread> workers;
  {
    std::lock_guard lock(mutex_);
    workers.swap(workers_);
  }
  for (auto& w : workers) w.join();
}

std::string ScriptedHttpServer::url() const { return "http://127.0.0.1:" + std::to_string(port_); }

void ScriptedHttpServer::script(std::vector<Reply> replies) {
  std::lock_guard lock(mutex_);
  for (auto& r : replies) script_.push_back(std::move(r));
}

void ScriptedHttpServer::set_fallback(Reply reply) {
  std::lock_guard lock(mutex_);
  fallback_ = std::move(reply);
}

std::vector<ScriptedHttpServer::Received> ScriptedHttpServer::received() const {
  std::lock_guard lock(mutex_);
  return received_;
}

std::size_t ScriptedHttpServer::request_count() const {
  std::lock_guard lock(mutex_);
  return received_.size();
}

void ScriptedHttpServer::accept_loop() {
  while (!stopping_) {
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (stopping_) return;
      if (errno == EINTR || errno == ECONNABORTED) continue;
      return;
    }
    std::lock_guard lock(mutex_);
    workers_.emplace_back([this, fd] {
      serve(fd);
      ::close(fd);
    });
  }
}

void ScriptedHttpServer::serve(int fd) {
  std::string buffer;
  if (!read_until(fd, buffer, [&] { return buffer.find("\r\n\r\n") != std::string::npos; })) return;
  const auto head_end = buffer.find("\r\n\r\n");
  Received request;
  request.at = Clock::now();
  const std::string head = buffer.substr(0, head_end);
  std::size_t line_end = head.find("\r\n");
  const std::string first = head.substr(0, line_end);
  const auto sp1 = first.find(' ');
  const auto sp2 = first.find(' ', sp1 + 1);
  request.method = first.substr(0, sp1);
  request.target = first.substr(sp1 + 1, sp2 - sp1 - 1);
  while (line_end != std::string::npos && line_end < head.size()) {
    const auto next = head.find("\r\n", line_end + 2);
    const std::string line = head.substr(line_end + 2, next == std::string::npos ? std::string::npos : next - line_end - 2);
    const auto colon = line.find(':');
    if (colon != std::string::npos) {
      std::string value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      request.headers[lower(line.substr(0, colon))] = value;
    }
    line_end = next;
  }
  std::size_t length = 0;
  if (auto it = request.headers.find("content-length"); it != request.headers.end()) length = std::stoul(it->second);
  const std::size_t body_start = head_end + 4;
  if (!read_until(fd, buffer, [&] { return buffer.size() >= body_start + length; })) return;
  request.body = buffer.substr(body_start, length);

  Reply reply;
  {
    std::lock_guard lock(mutex_);
    if (!script_.empty()) {
      reply = std::move(script_.front());
      script_.pop_front();
    } else {
      reply = fallback_;
    }
    received_.push_back(request);
  }
  if (reply.delay.count() > 0) {
    std::unique_lock lock(mutex_);
    stop_cv_.wait_for(lock, reply.delay, [&] { return stopping_.load(); });
  }
  if (reply.drop || stopping_) return;
  const std::string& body = reply.echo ? request.body : reply.body;
  std::string out = "HTTP/1.1 " + std::to_string(reply.status) + " " + reason(reply.status) + "\r\n";
  for (const auto& [name, value] : reply.headers) out += name + ": " + value + "\r\n";
  if (request.method == "HEAD") {
    out += "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n";
  } else {
    out += "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
  }
  write_all(fd, out);
}

}  // namespace promptsales::test
