#pragma once
/// `promptsales serve`: the portal's REST API, assembled from the
/// configuration (databases, cache, routes, metrics, the HTTP server).

#include <cstdint>
#include <memory>

#include "promptsales/common/config.hpp"

namespace promptsales::sales {

class ApiServer {
 public:
  /// Opens the databases (through the registry) and prepares the routes.
  /// `handle_signals`: SIGTERM/SIGINT start a graceful drain.
  ApiServer(const Config& config, bool handle_signals);
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  /// Binds and starts serving. Throws ConfigError if the address is unusable.
  void start();
  std::uint16_t port() const noexcept;
  /// Blocks until the server has stopped (after a signal or begin_shutdown()).
  void wait();
  /// Readiness turns false, no new connections, in-flight requests finish.
  void begin_shutdown() noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace promptsales::sales
