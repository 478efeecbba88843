// SQL injection through every filter of GET /api/v1/campaigns and through
// the path ids of every campaign route: each answer is a 4xx JSON error or
// a normal page that took the input literally, and no data changes.

#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "http_client.hpp"
#include "security_server.hpp"

using namespace promptsales::security_test;
using promptsales::test::SeededInstallation;
using promptsales::test::ServeProcess;
using promptsales::test::url_encode;

namespace {

const std::vector<std::string> kPayloads = {
    "1' OR '1'='1",
    "1 OR 1=1",
    "1; DROP TABLE campaigns; --",
    "1); DELETE FROM campaigns; --",
    "' UNION SELECT id, name, NULL FROM organizations --",
    "1' AND pg_sleep(5) IS NULL --",
    "true' OR 'x'='x",
    "%' OR name LIKE '%",
    "\\'; UPDATE campaigns SET name = 'pwned'; --",
    "$1",
    "1/*comment*/",
    "0x7fffffff",
};

/// Everything, deleted campaigns included, in a stable order.
nlohmann::json snapshot(int port) {
  const auto r = roundtrip(port, raw_request("GET", "/api/v1/campaigns?includeDeleted=true&limit=100"));
  INFO(r.describe());
  REQUIRE(r.status == 200);
  const auto page = nlohmann::json::parse(r.body);
  REQUIRE(page.is_array());
  return page;
}

}  // namespace

TEST_CASE("SQL injection in campaign list filters is refused or taken literally") {
  SeededInstallation inst(2, 12);
  ServeProcess server(hardened_env(inst));
  const auto before = snapshot(server.port());
  REQUIRE(before.size() == 24);

  for (const std::string& payload : kPayloads) {
    for (const std::string filter : {"organizationId", "enabled", "includeDeleted", "limit", "offset"}) {
      const auto r = roundtrip(server.port(), raw_request("GET", "/api/v1/campaigns?" + filter + "=" + url_encode(payload)));
      INFO(filter << " = " << payload);
      expect_client_error(r, 400);
      // The message names the parameter it refused.
      CHECK(r.body.find(filter) != std::string::npos);
    }
    // search is free text: the page holds only campaigns that contain it
    // literally (none do), never "everything".
    const auto r = roundtrip(server.port(), raw_request("GET", "/api/v1/campaigns?search=" + url_encode(payload)));
    INFO("search = " << payload << "\n" << r.describe());
    REQUIRE(r.status == 200);
    CHECK(nlohmann::json::parse(r.body) == nlohmann::json::array());
  }

  CHECK(snapshot(server.port()) == before);
  expect_healthy(server);
}

TEST_CASE("SQL injection in campaign path ids is refused and changes nothing") {
  SeededInstallation inst(2, 12);
  ServeProcess server(hardened_env(inst));
  const auto before = snapshot(server.port());
  const std::string body = R"({"name":"pwned"})";

  for (const std::string& payload : kPayloads) {
    const std::string id = url_encode(payload);
    INFO("id = " << payload);
    expect_client_error(roundtrip(server.port(), raw_request("GET", "/api/v1/campaigns/" + id)));
    expect_client_error(roundtrip(server.port(), raw_request_with_body("PUT", "/api/v1/campaigns/" + id, body)));
    expect_client_error(roundtrip(server.port(), raw_request("DELETE", "/api/v1/campaigns/" + id)));
    expect_client_error(roundtrip(server.port(), raw_request_with_body("POST", "/api/v1/campaigns/" + id + "/pause", "{}")));
    expect_client_error(roundtrip(server.port(), raw_request_with_body("POST", "/api/v1/campaigns/" + id + "/resume", "{}")));
  }
  // Injection in a create body lands as plain text in the name, or is refused.
  const auto created = roundtrip(
      server.port(), raw_request_with_body("POST", "/api/v1/campaigns",
                                           R"({"organizationId":1,"name":"x'); DROP TABLE campaigns; --"})"));
  INFO(created.describe());
  REQUIRE(created.status == 201);
  CHECK(nlohmann::json::parse(created.body)["name"] == "x'); DROP TABLE campaigns; --");

  const auto after = snapshot(server.port());
  REQUIRE(after.size() == before.size() + 1);
  // Newest first: everything but the new campaign is as it was.
  CHECK(nlohmann::json(std::vector<nlohmann::json>(after.begin() + 1, after.end())) == before);
  expect_healthy(server);
}
