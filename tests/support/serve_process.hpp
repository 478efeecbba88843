#pragma once
/// Long-running child processes for end-to-end tests: the built binary's
/// `serve` command (ServeProcess) and anything else a test starts and stops
/// (ChildProcess). Output goes to a temporary log file; a process still
/// running when its object is destroyed is killed with SIGKILL. Children also
/// get SIGKILL if the thread that started them exits (PR_SET_PDEATHSIG), so a
/// crashed test leaves no server behind: create them on the test's own thread.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

#include "http_client.hpp"

namespace promptsales::test {

using EnvMap = std::map<std::string, std::string>;

/// A child process. Its environment is this process's, minus every
/// PROMPTSALES_* variable (the developer's shell must not leak settings into
/// a test), plus `env`.
class ChildProcess {
 public:
  /// `program` is a path, or a name looked up in PATH.
  ChildProcess(std::string program, std::vector<std::string> args, const EnvMap& env);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  /// kill(pid, signal) while it runs; no-op after it exited.
  void send_signal(int signal);
  /// Waits up to `timeout` for the exit; the exit code (128 + N when killed
  /// by signal N), or nullopt if it is still running. Repeatable.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);
  /// True while not exited (reaps it if it just did).
  bool running();
  /// SIGKILL and reap (idempotent).
  void kill();
  /// Everything the process wrote to stdout and stderr so far.
  std::string log() const;
  const std::string& log_path() const { return log_path_; }
  /// "program args..." for messages.
  std::string command_line() const;

 private:
  bool reap(bool block);

  std::string program_;
  std::vector<std::string> args_;
  std::string log_path_;
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
};

/// `promptsales serve --listen 127.0.0.1:<free port>` with `env` (typically
/// PROMPTSALES_DATABASE_URL, PROMPTSALES_REDIS_URL and overrides). The
/// constructor returns once GET /healthz answers 200, and FAILs the test
/// with the server's log if that does not happen within `ready_timeout`
/// (it retries another port when the chosen one was taken meanwhile).
///
/// PROMPTSALES_REDIS_URL defaults to empty (no Redis) rather than to the
/// configuration default, so that no test touches a Redis it did not choose.
/// Auth is on, verifying DevAuth's tokens (dev_auth.hpp), and get()/send()
/// carry DevAuth's operator token; get_as()/send_as() carry another (an
/// empty token sends no Authorization header). Rate limits default to off
/// (PROMPTSALES_RATE_LIMIT_* in `env` turn them on).
class ServeProcess {
 public:
  /// Decides whether a started server is up: nullopt when it is, otherwise
  /// why not yet (shown if it never is). Called with the port, repeatedly.
  using ReadyCheck = std::function<std::optional<std::string>(int port)>;

  explicit ServeProcess(EnvMap env, std::vector<std::string> extra_args = {},
                        std::chrono::milliseconds ready_timeout = std::chrono::seconds(10));
  /// As above, but waits for `ready` (e.g. GET /healthz over TLS) instead of
  /// GET /healthz over plain HTTP.
  ServeProcess(EnvMap env, std::vector<std::string> extra_args, std::chrono::milliseconds ready_timeout,
               ReadyCheck ready);
  ~ServeProcess();
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;

  int port() const { return port_; }
  pid_t pid() const { return process_->pid(); }
  void send_signal(int signal) { process_->send_signal(signal); }
  std::optional<int> wait_exit(std::chrono::milliseconds timeout) { return process_->wait_exit(timeout); }
  bool running() { return process_->running(); }
  void kill() { process_->kill(); }
  std::string log() const { return process_->log(); }

  /// GET on a new connection (Connection: close).
  HttpResponse get(const std::string& target, std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;
  /// `method` with a JSON body on a new connection.
  HttpResponse send(const std::string& method, const std::string& target, const std::string& body = {},
                    std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;
  /// As get()/send(), with `token` as the bearer token (none if empty).
  HttpResponse get_as(const std::string& token, const std::string& target,
                      std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;
  HttpResponse send_as(const std::string& token, const std::string& method, const std::string& target,
                       const std::string& body = {}, std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;
  /// The /metrics text (FAILs unless 200).
  std::string metrics() const;

 private:
  int port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace promptsales::test
