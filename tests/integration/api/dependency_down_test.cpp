// End to end: the PromptAds database becomes unreachable under a running
// server, then comes back.

#include <chrono>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "api_fixture.hpp"
#include "http_client.hpp"
#include "promptsales/common/db/url.hpp"
#include "serve_process.hpp"

using namespace promptsales::test;
using std::chrono::milliseconds;

namespace {

/// Refuses new connections to `database` and ends the open ones; undone by
/// allow() or on destruction.
class DatabaseBlock {
 public:
  explicit DatabaseBlock(std::string database) : database_(std::move(database)) {}
  ~DatabaseBlock() {
    try {
      allow();
    } catch (...) {
    }
  }
  void block() {
    pqxx::connection admin(admin_database_url());
    pqxx::nontransaction tx(admin);
    tx.exec("ALTER DATABASE " + tx.quote_name(database_) + " ALLOW_CONNECTIONS false");
    tx.exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = " + tx.quote(database_) +
            " AND pid <> pg_backend_pid()");
    blocked_ = true;
  }
  void allow() {
    if (!blocked_) return;
    pqxx::connection admin(admin_database_url());
    pqxx::nontransaction tx(admin);
    tx.exec("ALTER DATABASE " + tx.quote_name(database_) + " ALLOW_CONNECTIONS true");
    blocked_ = false;
  }

 private:
  std::string database_;
  bool blocked_ = false;
};

void expect_unavailable(const HttpResponse& r) {
  INFO(r.describe());
  CHECK(r.status == 503);
  const auto j = r.json();
  REQUIRE(j.is_object());
  REQUIRE(j.contains("error"));
  CHECK(j["error"]["code"] == "unavailable");
  CHECK(j["error"]["message"].is_string());
  // Driver details stay in the log.
  CHECK(r.body.find("postgresql://") == std::string::npos);
}

}  // namespace

TEST_CASE("ads database down gives 503 and not ready then 200 again", "[api][db]") {
  SeededInstallation inst;
  ServeProcess server(inst.env());
  const std::string cached = "/api/v1/campaigns?organizationId=1";
  REQUIRE(server.get(cached).status == 200);
  REQUIRE(server.get(cached).status == 200);
  REQUIRE(server.get("/readyz").status == 200);

  DatabaseBlock outage(promptsales::db::database_name(inst.ads_url()));
  outage.block();

  // A page not in the cache needs PostgreSQL.
  expect_unavailable(server.get("/api/v1/campaigns?organizationId=2"));
  expect_unavailable(server.get("/api/v1/campaigns?organizationId=3&limit=5&offset=5"));
  expect_unavailable(server.get("/api/v1/campaigns/1"));
  expect_unavailable(server.send("POST", "/api/v1/campaigns", R"({"organizationId":1,"name":"During the outage"})"));
  // Readiness follows (its probe result may be up to half a second old).
  std::string last;
  CHECK(poll_until(
      [&] {
        const auto r = server.get("/readyz");
        last = r.describe();
        return r.status == 503 && r.json()["status"] == "unavailable";
      },
      std::chrono::seconds(3), milliseconds(100)));
  INFO("last /readyz: " << last);
  // Liveness does not: restarting the pod would not help.
  CHECK(server.get("/healthz").status == 200);

  outage.allow();
  CHECK(poll_until([&] { return server.get("/api/v1/campaigns?organizationId=2").status == 200; },
                   std::chrono::seconds(5), milliseconds(100)));
  CHECK(poll_until([&] { return server.get("/readyz").status == 200; }, std::chrono::seconds(3), milliseconds(100)));
  CHECK(server.get("/api/v1/campaigns/1").status == 200);
  CHECK(server.send("POST", "/api/v1/campaigns", R"({"organizationId":1,"name":"After the outage"})").status == 201);
}
