#pragma once
// A Server on an ephemeral loopback port with a recording observer, for the
// server tests.

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "promptsales/common/http/router.hpp"
#include "promptsales/common/http/server.hpp"

namespace promptsales::http::test {

/// Records every observer call.
class RecordingObserver : public ServerObserver {
 public:
  struct End {
    std::string route;
    Method method;
    int status;
    double seconds;
  };

  void on_request_start() noexcept override { ++starts; }
  void on_request_end(std::string_view route, Method method, int status, double seconds) noexcept override {
    std::lock_guard lock(mutex_);
    ends_.push_back(End{std::string(route), method, status, seconds});
  }
  void on_connection_open() noexcept override { ++opened; }
  void on_connection_close() noexcept override { ++closed; }
  void on_connection_rejected() noexcept override { ++rejected; }

  std::vector<End> ends() const {
    std::lock_guard lock(mutex_);
    return ends_;
  }

  /// The recorded ends once there are at least `count` (or after 2 s):
  /// on_request_end() follows the write, so it may trail the client's read.
  std::vector<End> ends_when(std::size_t count) const {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (ends().size() < count && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return ends();
  }

  std::atomic<int> starts{0};
  std::atomic<int> opened{0};
  std::atomic<int> closed{0};
  std::atomic<int> rejected{0};

 private:
  mutable std::mutex mutex_;
  std::vector<End> ends_;
};

/// Options for tests: loopback, ephemeral port, small pools.
inline ServerOptions test_options() {
  ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.io_threads = 2;
  options.worker_threads = 4;
  options.server_name = "test-server";
  options.shutdown_timeout = std::chrono::seconds(3);
  return options;
}

/// Owns a router and a started server.
struct TestServer {
  explicit TestServer(Router r, ServerOptions options = test_options())
      : router(std::move(r)),
        observer(std::make_shared<RecordingObserver>()),
        server(std::move(options), router, observer) {
    server.start();
  }

  std::uint16_t port() const { return server.port(); }

  Router router;
  std::shared_ptr<RecordingObserver> observer;
  Server server;
};

/// A fast handler answering `text` as JSON.
inline Handler fast_json(std::string body) {
  Handler h;
  h.fast = [body](const Request&) -> std::optional<Response> { return Response::json(200, body); };
  return h;
}

/// Polls `condition` until it holds or `timeout` passes.
template <class Condition>
bool eventually(Condition condition, std::chrono::milliseconds timeout = std::chrono::seconds(2)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

}  // namespace promptsales::http::test
