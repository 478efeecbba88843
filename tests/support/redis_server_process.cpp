#include "redis_server_process.hpp"

#include <cstdlib>
#include <thread>

#include <catch2/catch.hpp>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "test_env.hpp"
#include "unique_name.hpp"

namespace promptsales::test {

RedisServerProcess::RedisServerProcess() : RedisServerProcess(Options{}) {}

RedisServerProcess::RedisServerProcess(Options options) : port_(free_port()), options_(std::move(options)) {
  dir_ = std::filesystem::temp_directory_path() / unique_name("pst-redis");
  std::filesystem::create_directories(dir_);
  start();
}

RedisServerProcess::~RedisServerProcess() {
  kill();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::string RedisServerProcess::url() const {
  if (options_.password.empty()) return url_without_password();
  return "redis://:" + options_.password + "@127.0.0.1:" + std::to_string(port_) + "/0";
}

std::string RedisServerProcess::url_without_password() const {
  return "redis://127.0.0.1:" + std::to_string(port_) + "/0";
}

void RedisServerProcess::start() {
  kill();
  std::vector<std::string> args{"--port", std::to_string(port_), "--bind", "127.0.0.1", "--dir", dir_.string(), "--save",
                                "", "--appendonly", "no", "--daemonize", "no", "--protected-mode", "no"};
  if (!options_.password.empty()) {
    // On argv, which is fine for a throwaway test server only.
    args.insert(args.end(), {"--requirepass", options_.password});
  }
  process_ = std::make_unique<ChildProcess>("redis-server", std::move(args), EnvMap{});
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < until) {
    if (answers_ping()) return;
    if (const auto code = process_->wait_exit(std::chrono::milliseconds(0))) {
      FAIL("redis-server on port " << port_ << " exited with code " << *code
                                   << " (install redis-server 7: scripts/deps.sh)\n--- log ---\n"
                                   << process_->log());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  FAIL("private redis-server on port " << port_ << " did not answer PING within 10 s\n--- log ---\n"
                                       << process_->log());
}

void RedisServerProcess::kill() {
  if (process_) process_->kill();
}

std::string RedisServerProcess::command(const std::string& inline_command) const {
  if (options_.password.empty()) return raw_command(inline_command + "\r\n", 1);
  const std::string both = raw_command("AUTH " + options_.password + "\r\n" + inline_command + "\r\n", 2);
  const auto first_end = both.find("\r\n");
  if (both.rfind("+OK\r\n", 0) != 0 || first_end == std::string::npos) return {};
  return both.substr(first_end + 2);
}

// Sends `inline_commands` (CRLF-terminated) and reads until `replies` lines
// have arrived (enough for the simple replies the tests use).
std::string RedisServerProcess::raw_command(const std::string& inline_commands, int replies) const {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return {};
  timeval tv{0, 200'000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port_));
  std::string reply;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    const std::string& line = inline_commands;
    const auto lines = [&reply] {
      int n = 0;
      for (auto at = reply.find("\r\n"); at != std::string::npos; at = reply.find("\r\n", at + 2)) ++n;
      return n;
    };
    if (::send(fd, line.data(), line.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(line.size())) {
      char buf[4096];
      while (lines() < replies) {
        const auto n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        reply.append(buf, static_cast<std::size_t>(n));
      }
    }
  }
  ::close(fd);
  return reply;
}

bool RedisServerProcess::answers_ping() const {
  return command("PING") == "+PONG\r\n";
}

}  // namespace promptsales::test
