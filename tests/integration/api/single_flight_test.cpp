// End to end: fifty concurrent requests for one page that nobody asked for
// before cost one database query.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "api_fixture.hpp"
#include "http_client.hpp"
#include "promptsales/common/db/url.hpp"
#include "redis_server_process.hpp"
#include "serve_process.hpp"

using namespace promptsales::test;

namespace {

/// Joins the threads however the scope ends (a failed REQUIRE throws).
struct Joiner {
  std::vector<std::thread>& threads;
  ~Joiner() {
    for (auto& t : threads) {
      if (t.joinable()) t.join();
    }
  }
};

/// Backends of `database` waiting for a lock: the page queries held up by the test's lock.
int queries_waiting_for_lock(const std::string& database) {
  pqxx::connection admin(admin_database_url());
  pqxx::nontransaction tx(admin);
  return tx
      .exec("SELECT count(*) FROM pg_stat_activity WHERE datname = " + tx.quote(database) +
            " AND wait_event_type = 'Lock' AND query LIKE '%FROM campaigns%'")[0][0]
      .as<int>();
}

}  // namespace

TEST_CASE("concurrent misses of one page load it once", "[api][cache]") {
  SeededInstallation inst;
  RedisServerProcess redis;
  ServeProcess server(inst.env(redis.url()));
  wait_for_local_cache(server);
  const std::string ads_database = promptsales::db::database_name(inst.ads_url());

  const std::string target = "/api/v1/campaigns?organizationId=4&enabled=true&limit=9&offset=2";
  const double loads_before = scrape_metric(server, "promptsales_cache_loads_total");
  const double waits_before = scrape_metric(server, "promptsales_cache_singleflight_waits_total");

  // Hold the campaigns table so that the first load cannot finish before
  // every request has arrived: they must all share it. (While the workers
  // wait, /metrics cannot answer: it runs on the same worker pool.)
  pqxx::connection locker(inst.ads_url());
  pqxx::work lock(locker);
  lock.exec("LOCK TABLE campaigns IN ACCESS EXCLUSIVE MODE");

  constexpr int kClients = 50;
  std::mutex mutex;
  std::condition_variable cv;
  int ready = 0;
  int sent = 0;
  bool go = false;
  std::vector<HttpResponse> responses(kClients);
  std::vector<std::string> errors(kClients);
  std::vector<std::thread> clients;
  Joiner joiner{clients};
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&, i] {
      {
        std::unique_lock l(mutex);
        ++ready;
        cv.notify_all();
        cv.wait(l, [&] { return go; });
        ++sent;
        cv.notify_all();
      }
      try {
        responses[static_cast<std::size_t>(i)] = server.get(target, std::chrono::seconds(20));
      } catch (const HttpError& e) {
        errors[static_cast<std::size_t>(i)] = e.what();
      }
    });
  }
  int waiting = -1;
  {
    std::unique_lock l(mutex);
    cv.wait(l, [&] { return ready == kClients; });
    go = true;
    cv.notify_all();
    cv.wait(l, [&] { return sent == kClients; });
  }
  // Give the server time to read and dispatch every request, then look:
  // only one query reached PostgreSQL.
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  poll_until([&] { return (waiting = queries_waiting_for_lock(ads_database)) >= 1; }, std::chrono::seconds(3));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  waiting = queries_waiting_for_lock(ads_database);
  lock.commit();
  for (auto& c : clients) c.join();

  CHECK(waiting == 1);
  for (int i = 0; i < kClients; ++i) {
    const auto& r = responses[static_cast<std::size_t>(i)];
    INFO("client " << i << ": " << errors[static_cast<std::size_t>(i)] << "\n" << r.describe());
    CHECK(errors[static_cast<std::size_t>(i)].empty());
    CHECK(r.status == 200);
    CHECK(r.body == responses[0].body);
  }
  CHECK(scrape_metric(server, "promptsales_cache_loads_total") == loads_before + 1);
  CHECK(scrape_metric(server, "promptsales_cache_singleflight_waits_total") > waits_before);
}
