// db::Pool against a real PostgreSQL: bounds, timeouts, broken connections,
// session settings and statistics.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <pqxx/pqxx>

#include "promptsales/common/db/pool.hpp"
#include "promptsales/common/db/url.hpp"
#include "promptsales/common/errors.hpp"
#include "test_env.hpp"

using namespace promptsales;
using namespace std::chrono_literals;
using promptsales::test::admin_database_url;

namespace {

// The pool stores no data: it connects to the server's admin database and
// tells its connections apart by a unique application_name, so these tests
// need no database of their own and can run in parallel.
struct Target {
  std::string url = admin_database_url();
  std::string app = "pool_test_" + std::to_string(getpid()) + "_" + std::to_string(counter()++);
  std::string name() const { return promptsales::db::database_name(url); }
  static std::atomic<int>& counter() {
    static std::atomic<int> n{0};
    return n;
  }
};

db::PoolOptions options_for(const Target& target, std::size_t size, std::chrono::milliseconds wait = 1000ms) {
  db::PoolOptions o;
  o.url = target.url;
  o.size = size;
  o.wait_timeout = wait;
  o.application_name = target.app;
  return o;
}

int backend_pid(pqxx::connection& c) {
  pqxx::nontransaction tx(c);
  return tx.exec("SELECT pg_backend_pid()")[0][0].as<int>();
}

/// Terminates a backend from another connection and waits until it is gone.
void terminate_backend(int pid) {
  pqxx::connection admin(admin_database_url());
  pqxx::nontransaction tx(admin);
  REQUIRE(tx.exec_params("SELECT pg_terminate_backend($1)", pid)[0][0].as<bool>());
  for (int i = 0; i < 200; ++i) {
    if (tx.exec_params("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", pid)[0][0].as<int>() == 0) return;
    std::this_thread::sleep_for(10ms);
  }
  FAIL("backend " << pid << " did not go away");
}

}  // namespace

TEST_CASE("pool: size 0 is refused", "[db][pool]") {
  db::PoolOptions o;
  o.url = "postgresql://nobody@127.0.0.1:1/none";
  o.size = 0;
  CHECK_THROWS_AS(db::Pool(o), ConfigError);
}

TEST_CASE("pool: connections carry the session settings", "[db][pool]") {
  Target database;
  auto o = options_for(database, 2);
  o.statement_timeout = 1500ms;
  std::atomic<int> connects{0};
  o.on_connect = [&](pqxx::connection&) { ++connects; };
  db::Pool pool(o);
  {
    auto lease = pool.acquire();
    pqxx::nontransaction tx(*lease);
    CHECK(tx.exec("SHOW TimeZone")[0][0].as<std::string>() == "UTC");
    CHECK(tx.exec("SHOW application_name")[0][0].as<std::string>() == database.app);
    CHECK(tx.exec("SHOW statement_timeout")[0][0].as<std::string>() == "1500ms");
    CHECK_THAT(tx.exec("SHOW DateStyle")[0][0].as<std::string>(), Catch::StartsWith("ISO"));
    CHECK_THAT(tx.exec("SELECT now()::text")[0][0].as<std::string>(), Catch::EndsWith("+00"));
  }
  // A reused connection does not run on_connect again.
  { auto lease = pool.acquire(); }
  CHECK(connects == 1);
  {
    auto a = pool.acquire();
    auto b = pool.acquire();
  }
  CHECK(connects == 2);
}

TEST_CASE("pool: statement_timeout cancels long statements", "[db][pool]") {
  Target database;
  auto o = options_for(database, 1);
  o.statement_timeout = 100ms;
  db::Pool pool(o);
  auto lease = pool.acquire();
  pqxx::nontransaction tx(*lease);
  CHECK_THROWS_AS(tx.exec("SELECT pg_sleep(2)"), pqxx::sql_error);
}

TEST_CASE("pool: bounded - a second acquire times out with Unavailable", "[db][pool]") {
  Target database;
  db::Pool pool(options_for(database, 1, 300ms));
  auto held = pool.acquire();
  const int pid = backend_pid(*held);

  const auto started = std::chrono::steady_clock::now();
  try {
    auto second = pool.acquire();
    FAIL("second acquire succeeded on a pool of size 1");
  } catch (const Unavailable& e) {
    CHECK_THAT(e.what(), Catch::Contains("300 ms"));
  }
  const auto waited = std::chrono::steady_clock::now() - started;
  CHECK(waited >= 290ms);
  CHECK(waited < 2000ms);

  auto s = pool.stats();
  CHECK(s.size == 1);
  CHECK(s.open == 1);
  CHECK(s.in_use == 1);
  CHECK(s.acquisitions == 2);
  CHECK(s.waits == 1);
  CHECK(s.wait_timeouts == 1);
  CHECK(s.wait_seconds_total >= 0.29);
  CHECK(s.connect_failures == 0);

  // Released, the same connection is lent again.
  { auto moved = std::move(held); }
  auto again = pool.acquire();
  CHECK(backend_pid(*again) == pid);
  s = pool.stats();
  CHECK(s.open == 1);
  CHECK(s.in_use == 1);
}

TEST_CASE("pool: a waiting acquire gets a connection released in time", "[db][pool]") {
  Target database;
  db::Pool pool(options_for(database, 1, 3000ms));
  std::thread releaser;
  {
    auto held = std::make_unique<db::Lease>(pool.acquire());
    releaser = std::thread([&held] {
      std::this_thread::sleep_for(150ms);
      held.reset();
    });
    const auto started = std::chrono::steady_clock::now();
    auto lease = pool.acquire();
    const auto waited = std::chrono::steady_clock::now() - started;
    CHECK(waited >= 100ms);
    CHECK(waited < 2500ms);
    pqxx::nontransaction tx(*lease);
    CHECK(tx.exec("SELECT 1")[0][0].as<int>() == 1);
    releaser.join();
  }
  const auto s = pool.stats();
  CHECK(s.waits == 1);
  CHECK(s.wait_timeouts == 0);
  CHECK(s.open == 1);
  CHECK(s.in_use == 0);
}

TEST_CASE("pool: never more than size connections under concurrency", "[db][pool][concurrency]") {
  Target database;
  db::Pool pool(options_for(database, 3, 5000ms));
  std::atomic<int> max_in_use{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 15; ++i) {
        try {
          pool.with_connection([&](pqxx::connection& c) {
            const int now = static_cast<int>(pool.stats().in_use);
            int seen = max_in_use.load();
            while (now > seen && !max_in_use.compare_exchange_weak(seen, now)) {
            }
            pqxx::nontransaction tx(c);
            return tx.exec("SELECT pg_sleep(0.002)").size();
          });
        } catch (...) {
          ++failures;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(failures == 0);
  CHECK(max_in_use <= 3);
  const auto s = pool.stats();
  CHECK(s.open <= 3);
  CHECK(s.in_use == 0);
  CHECK(s.acquisitions == 8 * 15);

  // The server agrees.
  pqxx::connection admin(admin_database_url());
  pqxx::nontransaction tx(admin);
  CHECK(tx.exec_params("SELECT count(*) FROM pg_stat_activity WHERE application_name = $1", database.app)[0][0]
            .as<int>() <= 3);
}

TEST_CASE("pool: a broken connection is dropped, not returned", "[db][pool]") {
  Target database;
  db::Pool pool(options_for(database, 1, 500ms));
  int first_pid = 0;
  {
    auto lease = pool.acquire();
    first_pid = backend_pid(*lease);
    terminate_backend(first_pid);
    pqxx::nontransaction tx(*lease);
    CHECK_THROWS(tx.exec("SELECT 1"));
  }
  auto s = pool.stats();
  CHECK(s.open == 0);
  CHECK(s.in_use == 0);
  // The next lease is a fresh, working connection.
  auto lease = pool.acquire();
  CHECK(backend_pid(*lease) != first_pid);
  CHECK(pool.stats().open == 1);
}

TEST_CASE("pool: with_connection retries once on a fresh connection", "[db][pool]") {
  Target database;
  db::Pool pool(options_for(database, 1, 1000ms));
  int attempts = 0;
  int killed_pid = 0;
  const int pid = pool.with_connection([&](pqxx::connection& c) {
    ++attempts;
    const int mine = backend_pid(c);
    if (attempts == 1) {
      killed_pid = mine;
      terminate_backend(mine);
    }
    pqxx::nontransaction tx(c);
    return tx.exec("SELECT pg_backend_pid()")[0][0].as<int>();
  });
  CHECK(attempts == 2);
  CHECK(pid != killed_pid);
  const auto s = pool.stats();
  CHECK(s.open == 1);
  CHECK(s.in_use == 0);

  SECTION("query errors are not retried") {
    attempts = 0;
    CHECK_THROWS_AS(pool.with_connection([&](pqxx::connection& c) {
      ++attempts;
      pqxx::nontransaction tx(c);
      return tx.exec("SELECT no_such_column FROM no_such_table").size();
    }),
                    pqxx::sql_error);
    CHECK(attempts == 1);
    CHECK(pool.stats().open == 1);  // the connection is fine and kept
  }
  SECTION("a second break in a row is reported") {
    attempts = 0;
    CHECK_THROWS(pool.with_connection([&](pqxx::connection& c) {
      ++attempts;
      terminate_backend(backend_pid(c));
      pqxx::nontransaction tx(c);
      return tx.exec("SELECT 1").size();
    }));
    CHECK(attempts == 2);
    CHECK(pool.stats().open == 0);
    CHECK(pool.stats().in_use == 0);
  }
}

TEST_CASE("pool: discard and drop_idle close connections", "[db][pool]") {
  Target database;
  db::Pool pool(options_for(database, 3));
  {
    auto a = pool.acquire();
    auto b = pool.acquire();
    auto c = pool.acquire();
    c.discard();
  }
  CHECK(pool.stats().open == 2);
  pool.drop_idle();
  CHECK(pool.stats().open == 0);
  auto again = pool.acquire();
  CHECK(pool.stats().open == 1);
}

TEST_CASE("pool: an unreachable server is Unavailable and does not leak the password", "[db][pool]") {
  db::PoolOptions o;
  o.url = "postgresql://someone:hunter2@127.0.0.1:1/nothing?connect_timeout=2";
  o.size = 2;
  db::Pool pool(o);
  try {
    auto lease = pool.acquire();
    FAIL("connected to port 1");
  } catch (const Unavailable& e) {
    CHECK_THAT(e.what(), !Catch::Contains("hunter2"));
    CHECK_THAT(e.detail(), !Catch::Contains("hunter2"));
    CHECK_THAT(e.detail(), Catch::Contains("127.0.0.1"));
  }
  const auto s = pool.stats();
  CHECK(s.connect_failures == 1);
  CHECK(s.open == 0);
  CHECK(s.in_use == 0);
  // The failed attempt gave its slot back: both slots can still be tried.
  CHECK_THROWS_AS(pool.acquire(), Unavailable);
  CHECK(pool.stats().connect_failures == 2);
}
