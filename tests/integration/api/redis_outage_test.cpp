// End to end: Redis crashes and comes back while clients load the campaign
// pages. No request may fail; afterwards the server uses Redis and its
// in-process tier again.

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "api_fixture.hpp"
#include "http_client.hpp"
#include "redis_server_process.hpp"
#include "dev_auth.hpp"
#include "serve_process.hpp"

using namespace promptsales::test;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

TEST_CASE("pages keep being served while Redis is killed and restarted", "[api][cache][redis]") {
  SeededInstallation inst;
  RedisServerProcess redis;
  ServeProcess server(inst.env(redis.url()));
  wait_for_local_cache(server);

  std::atomic<bool> stop{false};
  std::atomic<long> ok{0}, server_errors{0}, other_status{0}, transport_errors{0};
  std::atomic<long> ok_during_outage{0};
  std::atomic<bool> redis_down{false};
  std::mutex failures_mutex;
  std::vector<std::string> failures;
  const auto record = [&](std::string what) {
    std::lock_guard lock(failures_mutex);
    if (failures.size() < 20) failures.push_back(std::move(what));
  };

  constexpr int kThreads = 4;
  std::vector<std::thread> clients;
  // Stops and joins the clients however this scope ends (a failed REQUIRE throws).
  struct StopAndJoin {
    std::atomic<bool>& stop;
    std::vector<std::thread>& threads;
    ~StopAndJoin() {
      stop = true;
      for (auto& t : threads) {
        if (t.joinable()) t.join();
      }
    }
  } stop_and_join{stop, clients};
  for (int t = 0; t < kThreads; ++t) {
    clients.emplace_back([&, t] {
      HttpConnection conn(server.port(), std::chrono::seconds(5));
      for (long n = 0; !stop.load(); ++n) {
        // Five organizations and eight offsets: pages repeat (hits) and,
        // with the odd limits, some are new (misses).
        const long org = (n + t) % 5 + 1;
        const long offset = ((n * 7 + t * 3) % 8) * 3;
        const long limit = 5 + (n / 40) % 7;
        const std::string target = "/api/v1/campaigns?organizationId=" + std::to_string(org) +
                                   "&limit=" + std::to_string(limit) + "&offset=" + std::to_string(offset);
        try {
          HttpRequest request;
          request.target = target;
          request.headers = {{"Authorization", "Bearer " + DevAuth::instance().operator_token()}};
          const auto r = conn.request(request);
          if (r.status == 200) {
            ++ok;
            if (redis_down.load()) ++ok_during_outage;
          } else if (r.status >= 500) {
            ++server_errors;
            record("GET " + target + " -> " + r.describe());
          } else {
            ++other_status;
            record("GET " + target + " -> " + r.describe());
          }
        } catch (const HttpError& e) {
          ++transport_errors;
          record("GET " + target + ": " + e.what());
        }
      }
    });
  }

  const auto start = Clock::now();
  std::this_thread::sleep_for(milliseconds(1000));
  redis.kill();
  redis_down = true;
  std::this_thread::sleep_for(milliseconds(700));
  // Redis down does not make the server unready: pages come from PostgreSQL.
  const auto ready_during = server.get("/readyz");
  std::this_thread::sleep_for(std::chrono::milliseconds(2500) - (Clock::now() - start));
  redis.start();
  redis_down = false;
  std::this_thread::sleep_for(std::chrono::milliseconds(4000) - (Clock::now() - start));
  stop = true;
  for (auto& c : clients) c.join();

  std::string all_failures;
  for (const auto& f : failures) all_failures += f + "\n";
  INFO("ok " << ok << ", 5xx " << server_errors << ", other " << other_status << ", transport errors "
             << transport_errors << "\n"
             << all_failures);
  CHECK(server_errors == 0);
  CHECK(transport_errors == 0);
  CHECK(other_status == 0);
  CHECK(ok > 100);
  CHECK(ok_during_outage > 0);
  {
    INFO(ready_during.describe());
    CHECK(ready_during.status == 200);
    CHECK(ready_during.json()["checks"]["redis"] != "ok");
  }

  // Back to normal within a few seconds: ready with Redis "ok" (asking
  // nothing but /readyz, as a kubelet does)...
  std::string last_ready;
  const auto ready_ok = [&] {
    const auto r = server.get("/readyz");
    last_ready = r.describe();
    return r.status == 200 && r.json()["checks"]["redis"] == "ok";
  };
  {
    const bool redis_ok = poll_until(ready_ok, std::chrono::seconds(5), milliseconds(50));
    INFO("last /readyz: " << last_ready << "\n--- server log ---\n" << server.log());
    CHECK(redis_ok);
  }

  // ...the in-process tier is trusted again (its subscriber reconnected)...
  wait_for_local_cache(server, 777'777, std::chrono::seconds(5));

  // ...and the Redis tier is consulted again: a page never requested before
  // is looked up in Redis (a miss, not an error) and then stored there.
  const double redis_misses = scrape_metric(server, "promptsales_cache_misses_total", {{"tier", "redis"}});
  const double redis_errors = scrape_metric(server, "promptsales_cache_errors_total", {{"tier", "redis"}});
  const std::string fresh = "/api/v1/campaigns?organizationId=3&limit=13&offset=1";
  REQUIRE(server.get(fresh).status == 200);
  CHECK(scrape_metric(server, "promptsales_cache_misses_total", {{"tier", "redis"}}) == redis_misses + 1);
  CHECK(scrape_metric(server, "promptsales_cache_errors_total", {{"tier", "redis"}}) == redis_errors);
  const std::string keys = redis.command("DBSIZE");
  INFO("DBSIZE: " << keys);
  CHECK(keys.rfind(":", 0) == 0);
  CHECK(keys != ":0\r\n");
  const double hits = scrape_local_hits(server);
  REQUIRE(server.get(fresh).status == 200);
  CHECK(scrape_local_hits(server) == hits + 1);
  // After that traffic, readiness says Redis is fine.
  INFO("last /readyz: " << last_ready);
  CHECK(ready_ok());
}

TEST_CASE("readyz reports the Redis state without traffic", "[api][cache][redis]") {
  SeededInstallation inst;
  RedisServerProcess redis;
  ServeProcess server(inst.env(redis.url()));
  wait_for_local_cache(server);
  std::string last;
  const auto redis_state = [&] {
    const auto r = server.get("/readyz");
    last = r.describe();
    return r.json()["checks"]["redis"].get<std::string>();
  };
  REQUIRE(redis_state() == "ok");

  // Only probes from now on, as from a kubelet: no page requests.
  redis.kill();
  {
    const bool noticed = poll_until([&] { return redis_state() != "ok"; }, std::chrono::seconds(3), milliseconds(100));
    INFO("Redis killed; last /readyz: " << last << "\n--- server log ---\n" << server.log());
    CHECK(noticed);
  }
  redis.start();
  {
    const bool recovered =
        poll_until([&] { return redis_state() == "ok"; }, std::chrono::seconds(5), milliseconds(100));
    INFO("Redis restarted; last /readyz: " << last << "\n--- server log ---\n" << server.log());
    CHECK(recovered);
  }
}
