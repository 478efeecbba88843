#include "promptsales/common/http/server.hpp"

#include <algorithm>
#include <csignal>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <string>
#include <vector>

#include "io_thread.hpp"
#include "listen_address.hpp"
#include "listener.hpp"
#include "log.hpp"
#include "server_core.hpp"
#include "tls_context.hpp"

namespace promptsales::http {

namespace asio = boost::asio;
using detail::Clock;
using detail::error_code;

namespace {

/// Sweep often enough that a timeout fires within a quarter of its length,
/// but at most four times a second with the production defaults.
Clock::duration sweep_interval(const ServerOptions& options) {
  const auto shortest = std::min(options.read_timeout, options.idle_timeout);
  return std::clamp<Clock::duration>(shortest / 4, std::chrono::milliseconds(10), std::chrono::milliseconds(250));
}

/// How long begin_shutdown() waits for the listening socket to close.
constexpr std::chrono::seconds kListenerCloseWait{2};

}  // namespace

class Server::Impl {
 public:
  Impl(ServerOptions options, const Router& router, std::shared_ptr<ServerObserver> observer)
      : core_(std::move(options), router, std::move(observer)) {
    core_.on_drained = [this] { finish(); };
  }

  ~Impl() {
    begin_shutdown();
    wait();
    // Blocking handlers may still run after a forced close; they post back to
    // the I/O contexts and reference the router, so wait for them before
    // anything they touch goes away.
    if (core_.workers) core_.workers->join();
    signals_.reset();
    shutdown_timer_.reset();
    listener_.reset();
    io_.clear();
  }

  void start() {
    std::lock_guard lock(lifecycle_mutex_);
    if (started_) throw std::logic_error("http::Server::start() called twice");
    if (core_.draining.load()) return;  // shut down before it started

    const ServerOptions& options = core_.options;
    core_.tls_context = detail::make_tls_context(options);  // before any thread can accept
    const unsigned io_count = options.io_threads != 0 ? options.io_threads
                                                      : std::max(1u, std::thread::hardware_concurrency());
    for (unsigned i = 0; i < io_count; ++i) io_.push_back(std::make_unique<detail::IoThread>());
    asio::io_context& first = io_.front()->context();
    try {
      std::vector<detail::IoThread*> targets;
      for (auto& io : io_) targets.push_back(io.get());
      const auto endpoint = detail::resolve_listen_address(options.listen, first);
      listener_ = std::make_unique<detail::Listener>(core_, first, endpoint, options.listen, std::move(targets));
    } catch (...) {
      io_.clear();  // so a corrected retry starts clean
      throw;
    }
    port_.store(listener_->port());
    shutdown_timer_.emplace(first);

    core_.workers.emplace(std::max(1u, options.worker_threads));
    const auto interval = sweep_interval(options);
    for (std::size_t i = 0; i < io_.size(); ++i) {
      io_[i]->start_sweeping(interval);
      io_[i]->spawn("http-io-" + std::to_string(i));
    }
    asio::post(first, [this] { listener_->start(); });
    if (options.handle_signals) watch_signals();
    started_ = true;
    detail::logger().info("HTTP server listening on {} (port {}, {}), {} I/O threads, {} workers", options.listen,
                          port_.load(), core_.tls_context ? "HTTPS, TLS 1.3 only" : "plain HTTP", io_count,
                          std::max(1u, options.worker_threads));
  }

  void wait() {
    std::lock_guard lock(wait_mutex_);
    for (auto& io : io_) io->join();
  }

  void begin_shutdown() noexcept {
    {
      std::lock_guard lock(lifecycle_mutex_);
      if (core_.draining.exchange(true) || !started_) return;
      asio::post(io_.front()->context(), [this] {
        close_listener();
        shutdown_timer_->expires_after(core_.options.shutdown_timeout);
        shutdown_timer_->async_wait([this](const error_code& ec) {
          if (!ec) close_all_connections();
        });
        // Every connection the listener counted is now queued on an I/O
        // thread or open; if there is none, no close will call finish().
        if (core_.open_connections.load() == 0) finish();
      });
      for (auto& io : io_) {
        asio::post(io->context(), [thread = io.get()] { thread->close_idle(); });
      }
    }
    // Return only once new connections are refused, so callers (and tests)
    // can rely on it. Not from the listener's own thread (the signal handler
    // runs there): it would wait for itself. Bounded in case that thread is
    // stuck in a misbehaving fast handler.
    if (!io_.front()->context().get_executor().running_in_this_thread()) {
      std::unique_lock lock(listener_mutex_);
      listener_cv_.wait_for(lock, kListenerCloseWait, [this] { return listener_closed_; });
    }
  }

  void shutdown_now() noexcept {
    begin_shutdown();
    std::lock_guard lock(lifecycle_mutex_);
    if (started_) close_all_connections();
  }

  std::uint16_t port() const noexcept { return port_.load(); }
  bool draining() const noexcept { return core_.draining.load(); }
  std::uint64_t tls_handshake_failures() const noexcept { return core_.tls_handshake_failures.load(); }
  const ServerOptions& options() const noexcept { return core_.options; }

 private:
  /// Closes the listening socket (on the first I/O thread) and tells
  /// begin_shutdown() that new connections are now refused.
  void close_listener() noexcept {
    listener_->close();
    std::lock_guard lock(listener_mutex_);
    listener_closed_ = true;
    listener_cv_.notify_all();
  }

  void close_all_connections() noexcept {
    for (auto& io : io_) {
      asio::post(io->context(), [thread = io.get()] { thread->close_all(); });
    }
  }

  /// Stops the event loops once draining found no connection left. Runs on
  /// the first I/O thread so it is ordered after the listener's handlers.
  void finish() {
    if (finishing_.exchange(true)) return;
    asio::post(io_.front()->context(), [this] {
      close_listener();
      shutdown_timer_->cancel();
      if (signals_) {
        // Back to the default action: a signal after this ends the process.
        error_code ec;
        signals_->clear(ec);
      }
      for (auto& io : io_) io->stop();
    });
  }

  void watch_signals() {
    signals_.emplace(io_.front()->context(), SIGTERM, SIGINT);
    signals_->async_wait([this](const error_code& ec, int signal) {
      if (ec) return;
      detail::logger().info("signal {} received: draining HTTP connections", signal);
      begin_shutdown();
      signals_->async_wait([this](const error_code& again, int) {
        if (again) return;
        detail::logger().warn("second signal: closing all HTTP connections now");
        close_all_connections();
      });
    });
  }

  detail::ServerCore core_;
  std::vector<std::unique_ptr<detail::IoThread>> io_;
  std::unique_ptr<detail::Listener> listener_;
  std::optional<asio::steady_timer> shutdown_timer_;
  std::optional<asio::signal_set> signals_;
  std::atomic<std::uint16_t> port_{0};
  std::atomic<bool> finishing_{false};
  bool started_ = false;
  std::mutex lifecycle_mutex_;
  std::mutex listener_mutex_;
  std::condition_variable listener_cv_;
  bool listener_closed_ = false;
  std::mutex wait_mutex_;
};

Server::Server(ServerOptions options, const Router& router, std::shared_ptr<ServerObserver> observer)
    : impl_(std::make_unique<Impl>(std::move(options), router, std::move(observer))) {}

Server::~Server() = default;

void Server::start() { impl_->start(); }
std::uint16_t Server::port() const noexcept { return impl_->port(); }
void Server::wait() { impl_->wait(); }
void Server::begin_shutdown() noexcept { impl_->begin_shutdown(); }
void Server::shutdown_now() noexcept { impl_->shutdown_now(); }
bool Server::draining() const noexcept { return impl_->draining(); }
std::uint64_t Server::tls_handshake_failures() const noexcept { return impl_->tls_handshake_failures(); }
const ServerOptions& Server::options() const noexcept { return impl_->options(); }

void check_tls_files(const ServerOptions& options) { (void)detail::make_tls_context(options); }

}  // namespace promptsales::http
