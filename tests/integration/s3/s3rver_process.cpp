#include "s3rver_process.hpp"

#include <filesystem>
#include <thread>

#include <catch2/catch.hpp>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>

#include "test_env.hpp"

namespace promptsales::test {
namespace {

std::string s3rver_script() {
  return std::string(PROMPTSALES_SOURCE_DIR) + "/tests/s3rver/node_modules/s3rver/bin/s3rver.js";
}

bool accepts(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

S3rverProcess::S3rverProcess(std::string bucket) : bucket_(std::move(bucket)), dir_("pst-s3rver") {
  if (!std::filesystem::exists(s3rver_script())) {
    FAIL("s3rver is not installed: run tests/s3rver/install.sh (npm ci; CTest's s3rver.npm_ci fixture does it)");
  }
  port_ = free_port();
  start();
}

S3rverProcess::~S3rverProcess() = default;

std::string S3rverProcess::endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

void S3rverProcess::kill() {
  if (process_) process_->kill();
}

void S3rverProcess::start() {
  process_ = std::make_unique<ChildProcess>(
      "node",
      // s3rver's continuation tokens use DES, which Node's OpenSSL 3 keeps
      // in the legacy provider: without it every paged listing answers 500.
      std::vector<std::string>{"--openssl-legacy-provider", s3rver_script(), "--directory", dir_.path().string(), "--address", "127.0.0.1",
                               "--port", std::to_string(port_), "--configure-bucket", bucket_, "--silent"},
      EnvMap{});
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < until) {
    if (accepts(port_)) return;
    if (!process_->running()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  FAIL("s3rver did not start on port " << port_ << ":\n" << process_->log());
}

}  // namespace promptsales::test
