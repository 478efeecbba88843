#include "test_env.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <random>
#include <stdexcept>
#include <thread>

#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "promptsales/common/db/installation.hpp"
#include "promptsales/common/db/url.hpp"
#include "promptsales/common/registry.hpp"

namespace promptsales::test {
namespace {

const char* kHowToStart =
    "start the test servers first: scripts/services.sh start && eval \"$(scripts/services.sh env)\" "
    "(scripts/test.sh does both)";

std::string unique_suffix() {
  static std::atomic<int> counter{0};
  std::random_device rd;
  return std::to_string(getpid()) + "_" + std::to_string(counter++) + "_" + std::to_string(rd() % 100000);
}

std::string read_all(int fd) {
  std::string out;
  char buf[65536];
  for (;;) {
    const auto n = read(fd, buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

}  // namespace

std::string admin_database_url() {
  const char* url = std::getenv("PROMPTSALES_TEST_DATABASE_URL");
  if (!url || !*url) FAIL("PROMPTSALES_TEST_DATABASE_URL is not set: " << kHowToStart);
  try {
    pqxx::connection probe(url);
  } catch (const std::exception& e) {
    FAIL("cannot reach PostgreSQL at PROMPTSALES_TEST_DATABASE_URL (" << e.what() << "): " << kHowToStart);
  }
  return url;
}

std::string redis_url() {
  const char* url = std::getenv("PROMPTSALES_TEST_REDIS_URL");
  if (!url || !*url) FAIL("PROMPTSALES_TEST_REDIS_URL is not set: " << kHowToStart);
  return url;
}

TestDatabase::TestDatabase(const std::string& prefix) {
  const std::string admin = admin_database_url();
  name_ = prefix + "_" + unique_suffix();
  url_ = db::with_database(admin, name_);
  pqxx::connection conn(admin);
  pqxx::nontransaction tx(conn);
  tx.exec("CREATE DATABASE " + tx.quote_name(name_));
}

TestDatabase::~TestDatabase() {
  try {
    drop_database(name_);
  } catch (...) {
    // Leave it: a later `scripts/services.sh reset` removes everything.
  }
}

void drop_database(const std::string& name) {
  pqxx::connection conn(admin_database_url());
  pqxx::nontransaction tx(conn);
  tx.exec("DROP DATABASE IF EXISTS " + tx.quote_name(name) + " WITH (FORCE)");
}

TestInstallation::TestInstallation() : control_("psi") {
  db::InstallationOptions options;
  options.control_url = control_.url();
  db::migrate_installation(options);
}

TestInstallation::~TestInstallation() {
  // Every sub-company database the registry names (ads, crm, ...).
  try {
    pqxx::connection conn(control_.url());
    for (const auto& s : SubcompanyRegistry(control_.url()).list(conn)) {
      try {
        drop_database(db::database_name(s.url));
      } catch (...) {
      }
    }
  } catch (...) {
  }
}

std::string TestInstallation::ads_url() const {
  pqxx::connection conn(control_.url());
  return SubcompanyRegistry(control_.url()).locate(conn, "ads").url;
}

std::map<std::string, std::string> TestInstallation::env() const {
  return {{"PROMPTSALES_DATABASE_URL", control_.url()}};
}

CommandResult run_promptsales(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                              const std::string& stdin_data) {
  int in_pipe[2], out_pipe[2], err_pipe[2];
  if (pipe(in_pipe) != 0 || pipe(out_pipe) != 0 || pipe(err_pipe) != 0) throw std::runtime_error("pipe failed");
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(in_pipe[0], 0);
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    for (int fd : {in_pipe[0], in_pipe[1], out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) close(fd);
    for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(PROMPTSALES_BINARY));
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(PROMPTSALES_BINARY, argv.data());
    _exit(127);
  }
  close(in_pipe[0]);
  close(out_pipe[1]);
  close(err_pipe[1]);
  std::thread writer([&] {
    std::size_t off = 0;
    while (off < stdin_data.size()) {
      const auto n = write(in_pipe[1], stdin_data.data() + off, stdin_data.size() - off);
      if (n <= 0) break;
      off += static_cast<std::size_t>(n);
    }
    close(in_pipe[1]);
  });
  CommandResult r;
  std::thread err_reader([&] { r.err = read_all(err_pipe[0]); });
  r.out = read_all(out_pipe[0]);
  err_reader.join();
  writer.join();
  close(out_pipe[0]);
  close(err_pipe[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace promptsales::test
