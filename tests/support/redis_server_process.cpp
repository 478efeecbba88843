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

RedisServerProcess::RedisServerProcess() : port_(free_port()) {
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
  return "redis://127.0.0.1:" + std::to_string(port_) + "/0";
}

void RedisServerProcess::start() {
  kill();
  process_ = std::make_unique<ChildProcess>(
      "redis-server",
      std::vector<std::string>{"--port", std::to_string(port_), "--bind", "127.0.0.1", "--dir", dir_.string(), "--save",
                               "", "--appendonly", "no", "--daemonize", "no", "--protected-mode", "no"},
      EnvMap{});
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
    const std::string line = inline_command + "\r\n";
    if (::send(fd, line.data(), line.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(line.size())) {
      char buf[4096];
      while (reply.find("\r\n") == std::string::npos) {
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
