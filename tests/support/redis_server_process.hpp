#pragma once
/// A private redis-server on a free loopback port, for end-to-end tests that
/// need a Redis no other test shares (the server has no key-prefix setting)
/// or that kill and restart it. In-memory only (no RDB, no AOF). Killed on
/// destruction. Needs only POSIX sockets (no hiredis), so any test
/// executable can use it.

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "serve_process.hpp"

namespace promptsales::test {

class RedisServerProcess {
 public:
  struct Options {
    /// Non-empty: started with --requirepass; url() and command() use it.
    std::string password;
  };

  /// Starts it and waits until it answers PING; FAILs (saying to run
  /// scripts/deps.sh) when redis-server cannot be started.
  RedisServerProcess();
  explicit RedisServerProcess(Options options);
  ~RedisServerProcess();
  RedisServerProcess(const RedisServerProcess&) = delete;
  RedisServerProcess& operator=(const RedisServerProcess&) = delete;

  int port() const { return port_; }
  /// redis://127.0.0.1:<port>/0, or redis://:<password>@127.0.0.1:<port>/0
  /// when started with a password.
  std::string url() const;
  /// redis://127.0.0.1:<port>/0 even when a password is required.
  std::string url_without_password() const;
  /// Starts it again on the same port (after kill()); waits for PING.
  void start();
  /// SIGKILL, like a crash; waits until the process is gone.
  void kill();
  bool running() const { return process_ && process_->running(); }
  /// True when a PING on a new connection gets +PONG (200 ms timeouts).
  bool answers_ping() const;
  /// Sends one inline command on a new connection (after AUTH when started
  /// with a password); returns the raw reply (e.g. "+OK\r\n", ":3\r\n"),
  /// empty on failure.
  std::string command(const std::string& inline_command) const;

 private:
  std::string raw_command(const std::string& inline_commands, int replies) const;

  int port_;
  Options options_;
  std::filesystem::path dir_;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace promptsales::test
