// Our connection pool over TLS to a private PostgreSQL with ssl=on and a
// throwaway CA: sslmode=verify-full connects and pg_stat_ssl says so; a
// different CA or a host name the certificate does not name is refused with
// a clear error that never holds the password.

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include <catch2/catch.hpp>
#include <pqxx/pqxx>
#include <unistd.h>

#include "promptsales/common/db/pool.hpp"
#include "promptsales/common/errors.hpp"
#include "serve_process.hpp"
#include "temp_dir.hpp"
#include "test_env.hpp"
#include "tls_tools.hpp"

using namespace promptsales;
using namespace promptsales::test;

namespace {

constexpr auto kPassword = "pg-Secr3t-pw";
const std::string kBin = "/usr/lib/postgresql/15/bin/";

/// initdb and postgres refuse root: run them as the postgres user, as
/// scripts/services.sh does.
std::vector<std::string> as_postgres(std::vector<std::string> argv) {
  if (::geteuid() != 0) return argv;
  argv.insert(argv.begin(), {"runuser", "-u", "postgres", "--"});
  return argv;
}

void give_to_postgres(const std::string& path) {
  if (::geteuid() != 0) return;
  const ToolResult r = run_tool({"chown", "-R", "postgres:postgres", path});
  REQUIRE(r.exit_code == 0);
}

/// A private PostgreSQL 15 on a free port with ssl=on, TLS only for TCP
/// (hostssl + scram-sha-256), stopped on destruction.
class TlsPostgres {
 public:
  TlsPostgres() : port_(free_port()) {
    pki_ = make_test_pki(dir_.str(), "", "IP:127.0.0.1,DNS:localhost");
    data_ = dir_.str() + "/data";
    const std::string pwfile = dir_.write("pwfile", std::string(kPassword) + "\n");
    std::filesystem::permissions(dir_.path(), std::filesystem::perms::all, std::filesystem::perm_options::add);
    give_to_postgres(dir_.str());
    const ToolResult init = run_tool(as_postgres({kBin + "initdb", "-D", data_, "-U", "postgres",
                                                  "--auth=scram-sha-256", "--pwfile", pwfile, "--encoding=UTF8"}),
                                     {}, std::chrono::seconds(120));
    INFO(init.output);
    REQUIRE(init.exit_code == 0);
    dir_.write("data/pg_hba.conf", "hostssl all all 127.0.0.1/32 scram-sha-256\n");
    give_to_postgres(data_);
    const std::string options = "-p " + std::to_string(port_) +
                                " -c listen_addresses=127.0.0.1 -c unix_socket_directories= -c ssl=on"
                                " -c ssl_cert_file=" + pki_.server_cert + " -c ssl_key_file=" + pki_.server_key +
                                " -c fsync=off";
    const ToolResult start = run_tool(
        as_postgres({kBin + "pg_ctl", "-D", data_, "-l", data_ + "/server.log", "-w", "-t", "60", "-o", options,
                     "start"}),
        {}, std::chrono::seconds(90));
    INFO(start.output);
    REQUIRE(start.exit_code == 0);
  }
  ~TlsPostgres() { run_tool(as_postgres({kBin + "pg_ctl", "-D", data_, "-m", "immediate", "-w", "stop"})); }

  /// `host` is what verify-full checks; the connection always goes to 127.0.0.1.
  std::string url(const std::string& ca, const std::string& host = "localhost") const {
    return "postgresql://postgres:" + std::string(kPassword) + "@" + host + ":" + std::to_string(port_) +
           "/postgres?hostaddr=127.0.0.1&sslmode=verify-full&sslrootcert=" + ca + "&connect_timeout=5";
  }
  const TestPki& pki() const { return pki_; }

 private:
  TempDir dir_{"pst-pg-tls"};
  int port_;
  TestPki pki_;
  std::string data_;
};

db::PoolOptions pool_options(std::string url) {
  db::PoolOptions o;
  o.url = std::move(url);
  o.size = 1;
  return o;
}

/// The error text a failed acquire() produces (what() and detail()).
std::string connect_error(const std::string& url) {
  db::Pool pool(pool_options(url));
  try {
    pool.acquire();
  } catch (const Error& e) {
    return std::string(e.what()) + " | " + e.detail();
  }
  FAIL("connected, but should not have: " << url.substr(url.find('@')));
  return {};
}

}  // namespace

TEST_CASE("The pool connects with sslmode=verify-full and the session is encrypted", "[pg_tls]") {
  TlsPostgres pg;
  db::Pool pool(pool_options(pg.url(pg.pki().ca_cert)));
  auto lease = pool.acquire();
  pqxx::nontransaction tx(*lease);
  const auto row = tx.exec1("SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
  CHECK(row[0].as<bool>());
  CHECK(row[1].as<std::string>() == "TLSv1.3");
}

TEST_CASE("A server certificate from another CA is refused without revealing the password", "[pg_tls]") {
  TlsPostgres pg;
  TempDir other("pst-pg-other-ca");
  const TestPki stranger = make_test_pki(other.str(), "", "IP:127.0.0.1", "some other CA");
  const std::string error = connect_error(pg.url(stranger.ca_cert));
  INFO(error);
  CHECK_THAT(error, Catch::Contains("database unavailable"));
  CHECK_THAT(error, Catch::Contains("certificate verify failed"));
  CHECK_THAT(error, !Catch::Contains(kPassword));
}

TEST_CASE("A host name the certificate does not name fails under verify-full", "[pg_tls]") {
  TlsPostgres pg;
  const std::string error = connect_error(pg.url(pg.pki().ca_cert, "db.invalid"));
  INFO(error);
  CHECK_THAT(error, Catch::Contains("does not match host name \"db.invalid\""));
  CHECK_THAT(error, !Catch::Contains(kPassword));
}
