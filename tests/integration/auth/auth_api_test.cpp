// End to end: bearer tokens, permissions and organization isolation on
// every /api route of a real `serve` process.

#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "api_fixture.hpp"
#include "dev_auth.hpp"
#include "redis_server_process.hpp"
#include "serve_process.hpp"

using nlohmann::json;
using namespace promptsales::test;

namespace {

struct RouteCall {
  std::string method;
  std::string target;
  std::string body;
};

/// Every /api route, aimed at campaign `id` of organization `org`.
std::vector<RouteCall> every_route(std::int64_t id, std::int64_t org) {
  const std::string one = "/api/v1/campaigns/" + std::to_string(id);
  return {
      {"GET", "/api/v1/campaigns?organizationId=" + std::to_string(org), ""},
      {"GET", "/campaigns?organizationId=" + std::to_string(org), ""},
      {"GET", one, ""},
      {"PUT", one, R"({"name":"taken over"})"},
      {"DELETE", one, ""},
      {"POST", one + "/pause", ""},
      {"POST", one + "/resume", ""},
      {"POST", "/api/v1/campaigns", json{{"organizationId", org}, {"name", "planted"}}.dump()},
  };
}

std::string describe(const RouteCall& c) { return c.method + " " + c.target; }

std::int64_t first_campaign_of(const ServeProcess& s, std::int64_t org) {
  const auto page = s.get("/api/v1/campaigns?organizationId=" + std::to_string(org) + "&limit=1").json();
  REQUIRE(page.size() == 1);
  return page[0]["id"].get<std::int64_t>();
}

bool is_json_error(const HttpResponse& r) {
  const auto j = r.json();
  return j.is_object() && j.contains("error") && j["error"].contains("message");
}

}  // namespace

TEST_CASE("every api route needs a valid bearer token but health and metrics do not", "[auth][api]") {
  SeededInstallation inst(2, 5);
  ServeProcess server(inst.env());
  const auto id = first_campaign_of(server, 1);
  const auto expired = DevAuth::instance().token(1, {"campaigns:read"}, "test|late", std::chrono::seconds(-120));

  for (const auto& call : every_route(id, 1)) {
    INFO(describe(call));
    const auto none = server.send_as("", call.method, call.target, call.body);
    INFO(none.describe());
    CHECK(none.status == 401);
    CHECK(is_json_error(none));
    CHECK(none.header("WWW-Authenticate") == R"(Bearer realm="promptsales")");

    const auto garbage = server.send_as("not-a-jwt", call.method, call.target, call.body);
    CHECK(garbage.status == 401);
    CHECK_THAT(garbage.header("WWW-Authenticate").value_or(""), Catch::Contains(R"(error="invalid_token")"));

    const auto late = server.send_as(expired, call.method, call.target, call.body);
    CHECK(late.status == 401);
    CHECK_THAT(late.header("WWW-Authenticate").value_or(""), Catch::Contains("expired"));
  }
  HttpRequest basic;
  basic.target = "/api/v1/campaigns";
  basic.headers = {{"Authorization", "Basic dXNlcjpwYXNz"}};
  const auto r = http_request(server.port(), basic);
  CHECK(r.status == 401);
  CHECK_THAT(r.header("WWW-Authenticate").value_or(""), Catch::Contains(R"(error="invalid_request")"));

  // Three refusals per route (no token, garbage, expired) and the Basic one.
  CHECK(scrape_metric(server, "promptsales_auth_refusals_total", {{"status", "401"}}) ==
        3 * every_route(id, 1).size() + 1);
  for (const std::string open : {"/healthz", "/readyz", "/metrics"}) {
    INFO(open);
    CHECK(server.get_as("", open).status == 200);
  }
  // Nothing was changed by the refused writes.
  CHECK(server.get("/api/v1/campaigns/" + std::to_string(id)).json()["name"] != "taken over");
}

TEST_CASE("each route requires its permission", "[auth][api]") {
  SeededInstallation inst(2, 5);
  ServeProcess server(inst.env());
  const auto id = first_campaign_of(server, 1);
  const auto reader = DevAuth::instance().token(1, {"campaigns:read"});
  const auto writer_only = DevAuth::instance().token(1, {"campaigns:write"});
  const auto unrelated = DevAuth::instance().token(1, {"leads:read", "billing:admin"});

  for (const auto& call : every_route(id, 1)) {
    INFO(describe(call));
    const bool write = call.method != "GET";
    const auto as_reader = server.send_as(reader, call.method, call.target, call.body);
    INFO(as_reader.describe());
    if (write) {
      CHECK(as_reader.status == 403);
      CHECK_THAT(as_reader.header("WWW-Authenticate").value_or(""), Catch::Contains(R"(scope="campaigns:write")"));
    } else {
      CHECK(as_reader.status == 200);
      CHECK(server.send_as(writer_only, call.method, call.target).status == 403);
    }
    const auto as_unrelated = server.send_as(unrelated, call.method, call.target, call.body);
    CHECK(as_unrelated.status == 403);
    CHECK(is_json_error(as_unrelated));
  }
  const auto marketer = DevAuth::instance().token(1, {"campaigns:read", "campaigns:write"});
  CHECK(server.send_as(marketer, "PUT", "/api/v1/campaigns/" + std::to_string(id), R"({"name":"Renamed"})").status ==
        200);
}

TEST_CASE("a token of one organization never reaches another's campaigns, cached or not", "[auth][api]") {
  SeededInstallation inst(3, 8);
  RedisServerProcess redis;
  ServeProcess server(inst.env(redis.url()));
  ServeProcess truth(inst.env(), {"--no-cache"});
  const auto alice = DevAuth::instance().token(1, {"campaigns:read", "campaigns:write"}, "test|alice");
  const std::string org2_page = "/api/v1/campaigns?organizationId=2&includeDeleted=true&limit=100";
  const auto org2_before = truth.get(org2_page).body;
  // Organization 2's page is in both cache tiers before Alice asks.
  server.get(org2_page);
  server.get("/api/v1/campaigns?organizationId=2");
  const auto victim = first_campaign_of(server, 2);

  for (const auto& call : every_route(victim, 2)) {
    INFO(describe(call) << " as organization 1");
    const auto r = server.send_as(alice, call.method, call.target, call.body);
    INFO(r.describe());
    CHECK((r.status == 404 || r.status == 403));
    CHECK(is_json_error(r));
    CHECK(r.body.find("\"organizationId\":2") == std::string::npos);
  }
  CHECK(truth.get(org2_page).body == org2_before);

  SECTION("lists without an organization are confined to the token's") {
    for (const std::string target : {"/api/v1/campaigns", "/api/v1/campaigns?limit=100&includeDeleted=true",
                                     "/campaigns?enabled=true", "/api/v1/campaigns?search=a"}) {
      INFO(target);
      for (int attempt = 0; attempt < 2; ++attempt) {  // a miss, then the cached page
        const auto r = server.get_as(alice, target);
        REQUIRE(r.status == 200);
        for (const auto& c : r.json()) CHECK(c["organizationId"] == 1);
      }
    }
    // And it is the same page the operator sees for organization 1.
    CHECK(server.get_as(alice, "/api/v1/campaigns").body == truth.get("/api/v1/campaigns?organizationId=1").body);
  }
  SECTION("creating without organizationId lands in the token's organization") {
    const auto r = server.send_as(alice, "POST", "/api/v1/campaigns", R"({"name":"Alice's launch"})");
    INFO(r.describe());
    REQUIRE(r.status == 201);
    CHECK(r.json()["organizationId"] == 1);
  }
  SECTION("a platform:admin token without organization sees all") {
    const auto admin = DevAuth::instance().token(std::nullopt, {"platform:admin", "campaigns:read"});
    const auto r = server.get_as(admin, "/api/v1/campaigns?limit=100");
    REQUIRE(r.status == 200);
    std::set<std::int64_t> orgs;
    for (const auto& c : r.json()) orgs.insert(c["organizationId"].get<std::int64_t>());
    CHECK(orgs.size() == 3);
  }
  SECTION("a token without organization or platform:admin is refused") {
    const auto r = server.get_as(DevAuth::instance().token(std::nullopt, {"campaigns:read"}), "/api/v1/campaigns");
    CHECK(r.status == 403);
  }
}

TEST_CASE("per-token and per-address rate limits answer 429 with Retry-After", "[auth][api]") {
  SeededInstallation inst(1, 3);
  SECTION("per token") {
    ServeProcess server(inst.env({}, {{"PROMPTSALES_RATE_LIMIT_TOKEN_PER_SECOND", "1"},
                                      {"PROMPTSALES_RATE_LIMIT_TOKEN_BURST", "3"}}));
    const auto a = DevAuth::instance().token(1, {"campaigns:read"}, "test|a");
    const auto b = DevAuth::instance().token(1, {"campaigns:read"}, "test|b");
    int ok = 0;
    HttpResponse refused;
    for (int i = 0; i < 6; ++i) {
      const auto r = server.get_as(a, "/api/v1/campaigns");
      if (r.status == 200) ++ok;
      if (r.status == 429) refused = r;
    }
    CHECK(ok <= 4);  // the burst, plus at most one refill during the loop
    REQUIRE(refused.status == 429);
    CHECK(is_json_error(refused));
    const auto retry = std::stoi(refused.header("Retry-After").value_or("0"));
    CHECK(retry >= 1);
    CHECK(server.get_as(b, "/api/v1/campaigns").status == 200);  // another token is unaffected
    CHECK(scrape_metric(server, "promptsales_auth_refusals_total", {{"status", "429"}}) >= 2);
  }
  SECTION("per address, counted before the token is even checked") {
    ServeProcess server(inst.env({}, {{"PROMPTSALES_RATE_LIMIT_IP_PER_SECOND", "1"},
                                      {"PROMPTSALES_RATE_LIMIT_IP_BURST", "2"}}));
    int refused = 0;
    for (int i = 0; i < 5; ++i) {
      if (server.get_as("bad-token", "/api/v1/campaigns").status == 429) ++refused;
    }
    CHECK(refused >= 2);
    CHECK(server.get("/healthz").status == 200);  // probes are never limited
  }
}

TEST_CASE("writes, failed logins and refused permissions reach the audit log", "[auth][api][audit]") {
  SeededInstallation inst(2, 5);
  ServeProcess server(inst.env({}, {{"PROMPTSALES_HTTP_TRUST_FORWARDED_FOR", "true"}}));
  const auto id = first_campaign_of(server, 1);
  const auto alice = DevAuth::instance().token(1, {"campaigns:read", "campaigns:write"}, "test|alice");
  // A hostile request whose path is not UTF-8 and whose forwarded address is
  // not an address: it must be logged, and must not spoil the batch.
  HttpRequest hostile;
  hostile.target = "/api/v1/campaigns/%ff%fe";
  hostile.headers = {{"Authorization", "Bearer x.y.z"}, {"X-Forwarded-For", "1.2.3.4, not-an-ip"}};
  REQUIRE(http_request(server.port(), hostile).status == 401);
  const auto reader = DevAuth::instance().token(1, {"campaigns:read"}, "test|reader");
  REQUIRE(server.send_as(alice, "PUT", "/api/v1/campaigns/" + std::to_string(id), R"({"name":"Audited"})").status ==
          200);
  REQUIRE(server.send_as("forged.token.here", "GET", "/api/v1/campaigns").status == 401);
  REQUIRE(server.send_as(reader, "DELETE", "/api/v1/campaigns/" + std::to_string(id)).status == 403);

  // The server writes the log asynchronously, in batches.
  pqxx::connection db(inst.control_url());
  const auto count = [&](const std::string& actor, const std::string& action, const std::string& outcome) {
    pqxx::work tx(db);
    return tx.exec_params1("SELECT count(*) FROM audit_log WHERE actor = $1 AND action = $2 AND outcome = $3", actor,
                           action, outcome)[0]
        .as<int>();
  };
  const bool all_there = poll_until(
      [&] {
        return count("user:test|alice", "campaign.update", "success") == 1 &&
               count("anonymous", "auth.login_failed", "denied") == 2 &&
               count("user:test|reader", "auth.permission_denied", "denied") == 1;
      },
      std::chrono::seconds(5), std::chrono::milliseconds(50));
  CHECK(all_there);
  CHECK(scrape_metric(server, "promptsales_audit_events_total", {{"result", "written"}}) >= 4);
  CHECK(scrape_metric(server, "promptsales_audit_events_total", {{"result", "failed"}}) == 0);
  pqxx::work tx(db);
  const auto row = tx.exec_params1(
      "SELECT target, organization_id, client_ip::text FROM audit_log WHERE action = 'campaign.update'");
  CHECK(row[0].as<std::string>() == "campaign:" + std::to_string(id));
  CHECK(row[1].as<std::int64_t>() == 1);
  CHECK_THAT(row[2].as<std::string>(), Catch::StartsWith("127.0.0.1"));
  CHECK(tx.exec1("SELECT count(*) FROM audit_log WHERE target = 'GET <not UTF-8>' AND client_ip IS NULL")[0]
            .as<int>() == 1);
  // The token itself is never logged.
  CHECK(tx.exec1("SELECT count(*) FROM audit_log WHERE details::text LIKE '%forged%'")[0].as<int>() == 0);
}
