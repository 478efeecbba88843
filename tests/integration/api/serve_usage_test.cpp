// End to end: `serve` refuses an address it cannot listen on.

#include <chrono>
#include <string>

#include <catch2/catch.hpp>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dev_auth.hpp"
#include "serve_process.hpp"
#include "test_env.hpp"

using namespace promptsales::test;

namespace {

/// A socket listening on 127.0.0.1:<port>, closed on destruction.
class Listener {
 public:
  Listener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(fd_, 8) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    port_ = ntohs(addr.sin_port);
  }
  ~Listener() { ::close(fd_); }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

}  // namespace

TEST_CASE("serve on a port in use or an invalid address exits 2 with a clear message", "[api][serve]") {
  TestInstallation inst;  // serve opens its databases before it binds
  EnvMap env = inst.env();
  env["PROMPTSALES_REDIS_URL"] = "";
  env.merge(DevAuth::instance().env());  // the JWKS loads before the listener binds

  {
    Listener taken;
    const std::string address = "127.0.0.1:" + std::to_string(taken.port());
    ChildProcess serve(PROMPTSALES_BINARY, {"serve", "--listen", address}, env);
    const auto code = serve.wait_exit(std::chrono::seconds(15));
    const std::string log = serve.log();
    INFO("port in use: " << address << "\n" << log);
    REQUIRE(code);
    CHECK(*code == 2);
    CHECK_THAT(log, Catch::Contains(address));
    CHECK_THAT(log, Catch::Contains("in use", Catch::CaseSensitive::No));
  }

  for (const std::string address : {"127.0.0.1:99999", "127.0.0.1", "[::1:80", "192.0.2.1:8080"}) {
    ChildProcess serve(PROMPTSALES_BINARY, {"serve", "--listen", address}, env);
    const auto code = serve.wait_exit(std::chrono::seconds(15));
    const std::string log = serve.log();
    INFO(address << "\n" << log);
    REQUIRE(code);
    CHECK(*code == 2);
    CHECK_THAT(log, Catch::Contains(address));
  }
}
