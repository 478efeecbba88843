#pragma once
/// A tiny HTTP/1.1 server on 127.0.0.1 for the load generator's tests: fast,
/// single-threaded, with scripted answers and misbehaviours.

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

namespace promptsales::loadgen::testing {

/// How the server misbehaves.
struct TestServerOptions {
  /// Close the connection silently after this many responses (0 = never).
  unsigned close_after = 0;
  /// Send "Connection: close" and close after every response.
  bool connection_close = false;
  /// Never answer organization ids ending in 7.
  bool hang_on_7 = false;
  /// Lower-case "name: value" that must be present, else 401.
  std::string required_header;
  /// Bytes of padding header added to every 200 response head.
  std::size_t head_padding = 0;
};

/// Answers by the `organizationId` query value: ending in 0 -> 500, in 9 ->
/// 404, in 8 -> 200 chunked, otherwise 200 with an 8 KB JSON page.
class TestHttpServer {
 public:
  explicit TestHttpServer(TestServerOptions options = {})
      : options_(std::move(options)), acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    const std::string page = "[" + std::string(8 * 1024, ' ') + "]";
    std::string connection = options_.connection_close ? "Connection: close\r\n" : "";
    if (options_.head_padding > 0) {
      connection += "X-Padding: " + std::string(options_.head_padding, 'p') + "\r\n";
    }
    ok_ = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + connection +
          "Content-Length: " + std::to_string(page.size()) + "\r\n\r\n" + page;
    chunked_ = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n" + connection +
               "\r\n10;ext=1\r\n0123456789abcdef\r\n" + "2000\r\n" + std::string(0x2000, 'x') + "\r\n0\r\nX-T: 1\r\n\r\n";
    not_found_ = "HTTP/1.1 404 Not Found\r\n" + connection + "Content-Length: 9\r\n\r\nnot found";
    error_ = "HTTP/1.1 500 Internal Server Error\r\n" + connection + "Content-Length: 5\r\n\r\nerror";
    unauthorized_ = "HTTP/1.1 401 Unauthorized\r\n" + connection + "Content-Length: 0\r\n\r\n";
    accept();
    thread_ = std::thread([this] { io_.run(); });
  }
  TestHttpServer(const TestHttpServer&) = delete;
  TestHttpServer& operator=(const TestHttpServer&) = delete;
  ~TestHttpServer() {
    io_.stop();
    thread_.join();
  }

  /// The port it listens on.
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  /// `http://127.0.0.1:PORT` followed by `path`.
  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port()) + path; }
  /// Requests answered so far.
  std::uint64_t answered() const { return answered_.load(); }

 private:
  class Session : public std::enable_shared_from_this<Session> {
   public:
    Session(TestHttpServer& server, boost::asio::ip::tcp::socket socket)
        : server_(server), socket_(std::move(socket)) {}

    void read() {
      auto self = shared_from_this();
      socket_.async_read_some(boost::asio::buffer(chunk_), [self](boost::system::error_code ec, std::size_t n) {
        if (ec) {
          return;
        }
        self->pending_.append(self->chunk_, n);
        self->handle();
      });
    }

   private:
    void handle() {
      const std::size_t end = pending_.find("\r\n\r\n");
      if (end == std::string::npos) {
        read();
        return;
      }
      const std::string head = pending_.substr(0, end + 4);
      pending_.erase(0, end + 4);
      const std::string* response = server_.answer(head);
      if (response == nullptr) {
        read();  // hang: keep the connection open without answering
        return;
      }
      ++server_.answered_;
      ++served_;
      const bool close = server_.options_.connection_close ||
                         (server_.options_.close_after != 0 && served_ % server_.options_.close_after == 0);
      auto self = shared_from_this();
      boost::asio::async_write(socket_, boost::asio::buffer(*response),
                               [self, close](boost::system::error_code ec, std::size_t) {
                                 if (ec) {
                                   return;
                                 }
                                 if (close) {
                                   boost::system::error_code ignored;
                                   self->socket_.close(ignored);
                                   return;
                                 }
                                 self->handle();
                               });
    }

    TestHttpServer& server_;
    boost::asio::ip::tcp::socket socket_;
    char chunk_[16 * 1024];
    std::string pending_;
    unsigned served_ = 0;
  };

  void accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, boost::asio::ip::tcp::socket socket) {
      if (!ec) {
        boost::system::error_code ignored;
        socket.set_option(boost::asio::ip::tcp::no_delay(true), ignored);
        std::make_shared<Session>(*this, std::move(socket))->read();
      }
      accept();
    });
  }

  /// The response for a request head, or nullptr to hang.
  const std::string* answer(const std::string& head) {
    if (!options_.required_header.empty()) {
      std::string lower = head;
      for (char& c : lower) {
        c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
      }
      if (lower.find("\r\n" + options_.required_header + "\r\n") == std::string::npos) {
        return &unauthorized_;
      }
    }
    const std::size_t at = head.find("organizationId=");
    const std::size_t value = at == std::string::npos ? std::string::npos : at + 15;
    std::size_t digits_end = value;
    while (digits_end != std::string::npos && digits_end < head.size() && head[digits_end] >= '0' &&
           head[digits_end] <= '9') {
      ++digits_end;
    }
    const char last = (value != std::string::npos && digits_end > value) ? head[digits_end - 1] : '1';
    switch (last) {
      case '0':
        return &error_;
      case '9':
        return &not_found_;
      case '8':
        return &chunked_;
      case '7':
        return options_.hang_on_7 ? nullptr : &ok_;
      default:
        return &ok_;
    }
  }

  TestServerOptions options_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::string ok_, chunked_, not_found_, error_, unauthorized_;
  std::atomic<std::uint64_t> answered_{0};
  std::thread thread_;
};

}  // namespace promptsales::loadgen::testing
