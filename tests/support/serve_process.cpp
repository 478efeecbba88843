#include "serve_process.hpp"

#include "dev_auth.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <catch2/catch.hpp>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test_env.hpp"

extern char** environ;

namespace promptsales::test {
namespace {

using Clock = std::chrono::steady_clock;

int exit_code_of(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

std::vector<std::string> child_environment(const EnvMap& env) {
  std::vector<std::string> out;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const std::string entry = *e;
    const std::string name = entry.substr(0, entry.find('='));
    if (name.rfind("PROMPTSALES_", 0) == 0 && name.rfind("PROMPTSALES_TEST_", 0) != 0) continue;
    if (env.count(name) != 0) continue;
    out.push_back(entry);
  }
  for (const auto& [name, value] : env) out.push_back(name + "=" + value);
  return out;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

ChildProcess::ChildProcess(std::string program, std::vector<std::string> args, const EnvMap& env)
    : program_(std::move(program)), args_(std::move(args)) {
  std::string log_template = (std::filesystem::temp_directory_path() / "pst-child-XXXXXX").string();
  const int log_fd = ::mkostemp(log_template.data(), O_CLOEXEC);
  if (log_fd < 0) throw std::runtime_error(std::string("mkostemp: ") + std::strerror(errno));
  log_path_ = log_template;
  const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);

  // Everything the child needs is built before fork(): after it, in a
  // multithreaded parent, only async-signal-safe calls are allowed.
  std::vector<std::string> env_strings = child_environment(env);
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<char*> argv;
  argv.push_back(program_.data());
  for (auto& a : args_) argv.push_back(a.data());
  argv.push_back(nullptr);
  const bool has_slash = program_.find('/') != std::string::npos;
  const pid_t parent = ::getpid();

  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(log_fd);
    if (null_fd >= 0) ::close(null_fd);
    throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    if (null_fd >= 0) ::dup2(null_fd, 0);
    ::dup2(log_fd, 1);
    ::dup2(log_fd, 2);
    // Sockets and files of the test (database connections, listening
    // sockets) must not stay open in the child.
    ::close_range(3, ~0U, 0);
    if (has_slash) {
      ::execve(argv[0], argv.data(), envp.data());
    } else {
      ::execvpe(argv[0], argv.data(), envp.data());
    }
    const char msg[] = "exec failed\n";
    [[maybe_unused]] const auto ignored = ::write(2, msg, sizeof msg - 1);
    ::_exit(127);
  }
  pid_ = pid;
  ::close(log_fd);
  if (null_fd >= 0) ::close(null_fd);
}

ChildProcess::~ChildProcess() {
  kill();
  std::error_code ec;
  std::filesystem::remove(log_path_, ec);
}

bool ChildProcess::reap(bool block) {
  if (exit_code_) return true;
  if (pid_ <= 0) return true;
  int status = 0;
  for (;;) {
    const pid_t r = ::waitpid(pid_, &status, block ? 0 : WNOHANG);
    if (r == pid_) {
      exit_code_ = exit_code_of(status);
      return true;
    }
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {  // not our child any more: treat as gone
      exit_code_ = -1;
      return true;
    }
    return false;
  }
}

void ChildProcess::send_signal(int signal) {
  if (!reap(false)) ::kill(pid_, signal);
}

std::optional<int> ChildProcess::wait_exit(std::chrono::milliseconds timeout) {
  const auto until = Clock::now() + timeout;
  while (!reap(false)) {
    if (Clock::now() >= until) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return exit_code_;
}

bool ChildProcess::running() {
  return !reap(false);
}

void ChildProcess::kill() {
  if (!reap(false)) {
    ::kill(pid_, SIGKILL);
    reap(true);
  }
}

std::string ChildProcess::log() const {
  return read_file(log_path_);
}

std::string ChildProcess::command_line() const {
  std::string out = program_;
  for (const auto& a : args_) out += " " + a;
  return out;
}

namespace {

std::optional<std::string> plain_healthz(int port) {
  try {
    const auto r = http_get(port, "/healthz", std::chrono::seconds(1));
    if (r.status == 200) return std::nullopt;
    return "GET /healthz answered " + std::to_string(r.status);
  } catch (const HttpError& e) {
    return std::string(e.what());
  }
}

}  // namespace

ServeProcess::ServeProcess(EnvMap env, std::vector<std::string> extra_args, std::chrono::milliseconds ready_timeout)
    : ServeProcess(std::move(env), std::move(extra_args), ready_timeout, plain_healthz) {}

ServeProcess::ServeProcess(EnvMap env, std::vector<std::string> extra_args, std::chrono::milliseconds ready_timeout,
                           ReadyCheck ready) {
  if (env.count("PROMPTSALES_REDIS_URL") == 0) env["PROMPTSALES_REDIS_URL"] = "";
  for (auto& [name, value] : DevAuth::instance().env()) env.emplace(name, value);  // keeps the caller's
  env.emplace("PROMPTSALES_RATE_LIMIT_IP_PER_SECOND", "0");
  env.emplace("PROMPTSALES_RATE_LIMIT_TOKEN_PER_SECOND", "0");
  for (int attempt = 1;; ++attempt) {
    port_ = free_port();
    std::vector<std::string> args{"serve", "--listen", "127.0.0.1:" + std::to_string(port_)};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    process_ = std::make_unique<ChildProcess>(PROMPTSALES_BINARY, args, env);

    const auto until = Clock::now() + ready_timeout;
    std::string last_error = "no answer yet";
    bool retry = false;
    while (!retry) {
      if (const auto code = process_->wait_exit(std::chrono::milliseconds(0))) {
        const std::string log = process_->log();
        // Another process took the free port between free_port() and bind().
        retry = *code == 2 && attempt < 3 && log.find("in use") != std::string::npos;
        if (retry) break;
        FAIL("`" << process_->command_line() << "` exited with code " << *code
                 << " before it was ready\n--- log ---\n"
                 << log);
      }
      if (Clock::now() >= until) {
        const std::string log = process_->log();
        process_->kill();
        FAIL("`" << process_->command_line() << "`: not ready (GET /healthz answering 200) within "
                 << ready_timeout.count() << " ms (" << last_error << ")\n--- log ---\n"
                 << log);
      }
      if (auto not_ready = ready(port_)) {
        last_error = std::move(*not_ready);
      } else {
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
}

ServeProcess::~ServeProcess() = default;

HttpResponse ServeProcess::get(const std::string& target, std::chrono::milliseconds timeout) const {
  return get_as(DevAuth::instance().operator_token(), target, timeout);
}

HttpResponse ServeProcess::send(const std::string& method, const std::string& target, const std::string& body,
                                std::chrono::milliseconds timeout) const {
  return send_as(DevAuth::instance().operator_token(), method, target, body, timeout);
}

HttpResponse ServeProcess::get_as(const std::string& token, const std::string& target,
                                  std::chrono::milliseconds timeout) const {
  return send_as(token, "GET", target, {}, timeout);
}

HttpResponse ServeProcess::send_as(const std::string& token, const std::string& method, const std::string& target,
                                   const std::string& body, std::chrono::milliseconds timeout) const {
  HttpRequest request;
  request.method = method;
  request.target = target;
  request.body = body;
  if (!body.empty()) request.headers.emplace_back("Content-Type", "application/json");
  if (!token.empty()) request.headers.emplace_back("Authorization", "Bearer " + token);
  return http_request(port_, request, timeout);
}

std::string ServeProcess::metrics() const {
  const auto r = get("/metrics");
  INFO(r.describe());
  REQUIRE(r.status == 200);
  return r.body;
}

}  // namespace promptsales::test
