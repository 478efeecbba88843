// End to end: without a Redis tier (or with the cache off) a page miss is
// read on the I/O thread itself (db::AsyncPg). It must give the blocking
// path's bytes, keep single flight, leave the workers free, and show in
// /metrics.

#include <chrono>
#include <condition_variable>
#include <dirent.h>
#include <fstream>
#include <mutex>
#include <set>
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

int queries_waiting_for_lock(const std::string& database) {
  pqxx::connection admin(admin_database_url());
  pqxx::nontransaction tx(admin);
  return tx
      .exec("SELECT count(*) FROM pg_stat_activity WHERE datname = " + tx.quote(database) +
            " AND wait_event_type = 'Lock' AND query LIKE '%FROM campaigns%'")[0][0]
      .as<int>();
}

/// The names of a process's threads.
std::multiset<std::string> thread_names(pid_t pid) {
  std::multiset<std::string> names;
  const std::string dir = "/proc/" + std::to_string(pid) + "/task";
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return names;
  while (const dirent* e = readdir(d)) {
    if (e->d_name[0] == '.') continue;
    std::ifstream comm(dir + "/" + e->d_name + "/comm");
    std::string name;
    std::getline(comm, name);
    names.insert(name);
  }
  closedir(d);
  return names;
}

}  // namespace

TEST_CASE("concurrent misses of one page load it once on the I/O threads", "[api][cache][async]") {
  SeededInstallation inst;
  ServeProcess server(inst.env());  // no Redis: misses stay on the I/O threads
  const std::string ads_database = promptsales::db::database_name(inst.ads_url());
  // The operator token is verified once (on a worker); later requests use the async path.
  REQUIRE(server.get("/api/v1/campaigns?organizationId=1").status == 200);

  const std::string target = "/api/v1/campaigns?organizationId=4&enabled=true&limit=9&offset=2";
  const double loads_before = scrape_metric(server, "promptsales_cache_loads_total");
  const double waits_before = scrape_metric(server, "promptsales_cache_singleflight_waits_total");
  const double async_before = scrape_metric(server, "promptsales_db_async_queries_total");

  pqxx::connection locker(inst.ads_url());
  pqxx::work lock(locker);
  lock.exec("LOCK TABLE campaigns IN ACCESS EXCLUSIVE MODE");

  constexpr int kClients = 50;
  std::mutex mutex;
  std::condition_variable cv;
  int ready = 0;
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
      }
      try {
        responses[static_cast<std::size_t>(i)] = server.get(target, std::chrono::seconds(20));
      } catch (const HttpError& e) {
        errors[static_cast<std::size_t>(i)] = e.what();
      }
    });
  }
  {
    std::unique_lock l(mutex);
    cv.wait(l, [&] { return ready == kClients; });
    go = true;
    cv.notify_all();
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  int waiting = -1;
  poll_until([&] { return (waiting = queries_waiting_for_lock(ads_database)) >= 1; }, std::chrono::seconds(3));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  waiting = queries_waiting_for_lock(ads_database);
  // The misses hold no worker: a worker route (/metrics) still answers, and
  // shows the one query of the I/O threads.
  const double async_during = scrape_metric(server, "promptsales_db_async_queries_total");
  const double in_use_during =
      scrape_metric(server, "promptsales_db_pool_connections", {{"database", "ads_async"}, {"state", "in_use"}});
  const double waiting_during = scrape_metric(server, "promptsales_db_async_waiting");
  const std::string metrics_during = server.metrics();
  lock.commit();
  for (auto& c : clients) c.join();

  CHECK(waiting == 1);
  CHECK(async_during == async_before + 1);
  INFO(metrics_during);
  // The leader's query is in flight, or waiting for its connection, whose
  // PREPARE (run on connect) waits for the same lock.
  CHECK(in_use_during + waiting_during == 1);
  for (int i = 0; i < kClients; ++i) {
    const auto& r = responses[static_cast<std::size_t>(i)];
    INFO("client " << i << ": " << errors[static_cast<std::size_t>(i)] << "\n" << r.describe());
    CHECK(errors[static_cast<std::size_t>(i)].empty());
    CHECK(r.status == 200);
    CHECK(r.body == responses[0].body);
  }
  CHECK(responses[0].json().size() == 9);
  CHECK(scrape_metric(server, "promptsales_cache_loads_total") == loads_before + 1);
  CHECK(scrape_metric(server, "promptsales_cache_singleflight_waits_total") >= waits_before + kClients - 1);
}

TEST_CASE("pages read on the I/O threads equal the worker path's, filter for filter", "[api][async]") {
  SeededInstallation inst;
  RedisServerProcess redis;
  ServeProcess async_server(inst.env(), {"--no-cache"});  // misses on the I/O threads
  ServeProcess worker_server(inst.env(redis.url()));      // Redis tier: misses on the workers
  const std::vector<std::string> targets{
      "/api/v1/campaigns?organizationId=1",
      "/api/v1/campaigns?organizationId=2&limit=100",
      "/api/v1/campaigns?organizationId=3&enabled=false&limit=50",
      "/api/v1/campaigns?organizationId=3&includeDeleted=true&limit=100&offset=3",
      "/api/v1/campaigns?search=a&limit=100",
      "/api/v1/campaigns?limit=7&offset=11",
      "/api/v1/campaigns?organizationId=424242",
      "/campaigns?organizationId=1",
  };
  for (int round = 0; round < 2; ++round) {  // round 0 verifies the token on a worker, round 1 is async
    for (const auto& target : targets) {
      const auto a = async_server.get(target);
      const auto w = worker_server.get(target);
      INFO(target << "\nasync: " << a.describe() << "\nworker: " << w.describe());
      CHECK(a.status == 200);
      CHECK(a.body == w.body);
      CHECK(a.header("content-type") == w.header("content-type"));
    }
  }
  // Errors keep their meaning on the async path.
  CHECK(async_server.get("/api/v1/campaigns?limit=0").status == 400);
  CHECK(async_server.get("/api/v1/campaigns?organizationId=abc").status == 400);

  CHECK(scrape_metric(async_server, "promptsales_db_async_queries_total", {{"result", "ok"}}) >= static_cast<double>(targets.size()));
  CHECK(scrape_metric(worker_server, "promptsales_db_async_queries_total") == 0);
  // Named threads, for top -H and perf.
  const auto names = thread_names(async_server.pid());
  INFO("threads: " << [&] {
    std::string s;
    for (const auto& n : names) s += n + " ";
    return s;
  }());
  CHECK(names.count("http-io-0") == 1);
  CHECK(names.count("http-worker") >= 1);
  CHECK(names.count("db-connect") == 1);
}
