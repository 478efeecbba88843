// End to end: the campaign REST API of `promptsales serve`, over real
// sockets, against a seeded installation (organizations 1..5, 30 campaigns
// each, a few of them soft-deleted).

#include <algorithm>
#include <cctype>
#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "api_fixture.hpp"
#include "http_client.hpp"
#include "redis_server_process.hpp"
#include "serve_process.hpp"

using nlohmann::json;
using namespace promptsales::test;

namespace {

const std::set<std::string> kCampaignKeys = {"id",       "organizationId", "name",     "description", "status",
                                             "enabled",  "deleted",        "budget",   "currency",    "channels",
                                             "startsAt", "endsAt",         "checksum", "createdAt",   "updatedAt"};

/// The body as JSON; REQUIREs that it parses.
json body_json(const HttpResponse& r) {
  INFO(r.describe());
  const json j = r.json();
  REQUIRE_FALSE(j.is_discarded());
  return j;
}

/// Checks the API's error shape: JSON content type and exactly
/// {"error":{"code":<code>,"message":<string>}}; returns the message.
std::string expect_error(const HttpResponse& r, int status, const std::string& code) {
  INFO(r.describe());
  CHECK(r.status == status);
  CHECK(r.header("Content-Type").value_or("").find("application/json") != std::string::npos);
  const json j = r.json();
  REQUIRE(j.is_object());
  CHECK(j.size() == 1);
  REQUIRE(j.contains("error"));
  const json& e = j["error"];
  REQUIRE(e.is_object());
  CHECK(e.size() == 2);
  REQUIRE(e.contains("code"));
  REQUIRE(e.contains("message"));
  CHECK(e["code"] == code);
  REQUIRE(e["message"].is_string());
  CHECK_FALSE(e["message"].get<std::string>().empty());
  return e["message"].get<std::string>();
}

void expect_campaign_shape(const json& c) {
  INFO(c.dump());
  REQUIRE(c.is_object());
  std::set<std::string> keys;
  for (const auto& [k, v] : c.items()) keys.insert(k);
  CHECK(keys == kCampaignKeys);
  CHECK(c["id"].is_number_integer());
  CHECK(c["organizationId"].is_number_integer());
  CHECK(c["enabled"].is_boolean());
  CHECK(c["deleted"].is_boolean());
  CHECK(c["budget"].is_number());
  CHECK(c["channels"].is_array());
  CHECK(c["createdAt"].is_string());
  CHECK(c["updatedAt"].is_string());
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

/// createdAt desc, then id desc (ISO-8601 UTC strings of one format sort as text).
bool newest_first(const json& a, const json& b) {
  const auto ca = a["createdAt"].get<std::string>();
  const auto cb = b["createdAt"].get<std::string>();
  if (ca != cb) return ca > cb;
  return a["id"].get<std::int64_t>() > b["id"].get<std::int64_t>();
}

void expect_newest_first(const json& page) {
  REQUIRE(page.is_array());
  for (std::size_t i = 1; i < page.size(); ++i) {
    INFO("items " << i - 1 << " and " << i << ":\n" << page[i - 1].dump() << "\n" << page[i].dump());
    CHECK(newest_first(page[i - 1], page[i]));
  }
}

std::vector<std::int64_t> ids_of(const json& page) {
  std::vector<std::int64_t> ids;
  for (const auto& c : page) ids.push_back(c["id"].get<std::int64_t>());
  return ids;
}

bool contains_id(const json& page, std::int64_t id) {
  const auto ids = ids_of(page);
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

json get_page(const ServeProcess& s, const std::string& query) {
  const auto r = s.get("/api/v1/campaigns" + query);
  INFO("GET /api/v1/campaigns" << query << "\n" << r.describe());
  REQUIRE(r.status == 200);
  const json j = r.json();
  REQUIRE(j.is_array());
  return j;
}

json create(const ServeProcess& s, const json& body) {
  const auto r = s.send("POST", "/api/v1/campaigns", body.dump());
  INFO(r.describe());
  REQUIRE(r.status == 201);
  return r.json();
}

}  // namespace

TEST_CASE("campaign create read update pause resume and delete", "[api][campaigns]") {
  SeededInstallation inst;
  RedisServerProcess redis;
  ServeProcess server(inst.env(redis.url()));

  // Create: 201, Location, camelCase body with the normalized fields.
  const json draft = {{"organizationId", 2},
                      {"name", "  Quokka Launch  "},
                      {"description", "Platypus awareness push"},
                      {"status", "active"},
                      {"budget", 1500.5},
                      {"currency", "eur"},
                      {"channels", {"Facebook", "instagram"}},
                      {"startsAt", "2026-01-15T09:00:00Z"},
                      {"endsAt", nullptr}};
  const auto created_response = server.send("POST", "/api/v1/campaigns", draft.dump());
  INFO(created_response.describe());
  REQUIRE(created_response.status == 201);
  CHECK(created_response.header("Content-Type").value_or("").find("application/json") != std::string::npos);
  const json created = body_json(created_response);
  expect_campaign_shape(created);
  const auto id = created["id"].get<std::int64_t>();
  CHECK(created_response.header("Location") == "/api/v1/campaigns/" + std::to_string(id));
  CHECK(created["organizationId"] == 2);
  CHECK(created["name"] == "Quokka Launch");
  CHECK(created["description"] == "Platypus awareness push");
  CHECK(created["status"] == "active");
  CHECK(created["enabled"] == true);
  CHECK(created["deleted"] == false);
  CHECK(created_response.body.find("\"budget\":1500.50") != std::string::npos);  // exact decimal
  CHECK(created["currency"] == "EUR");
  CHECK(created["channels"] == json({"facebook", "instagram"}));
  CHECK(created["startsAt"].get<std::string>().rfind("2026-01-15T09:00:00", 0) == 0);
  CHECK(created["endsAt"].is_null());
  CHECK(created["checksum"].get<std::string>().size() == 64);

  // Read: the same document.
  const auto got = server.get("/api/v1/campaigns/" + std::to_string(id));
  INFO(got.describe());
  REQUIRE(got.status == 200);
  CHECK(body_json(got) == created);

  // Update: 200, only the given fields change.
  const auto updated_response = server.send("PUT", "/api/v1/campaigns/" + std::to_string(id),
                                            json{{"name", "Quokka Relaunch"}, {"budget", "2000"}}.dump());
  INFO(updated_response.describe());
  REQUIRE(updated_response.status == 200);
  const json updated = body_json(updated_response);
  expect_campaign_shape(updated);
  CHECK(updated["id"] == id);
  CHECK(updated["name"] == "Quokka Relaunch");
  CHECK(updated_response.body.find("\"budget\":2000.00") != std::string::npos);
  CHECK(updated["description"] == created["description"]);
  CHECK(updated["createdAt"] == created["createdAt"]);
  CHECK(updated["updatedAt"].get<std::string>() >= created["updatedAt"].get<std::string>());
  CHECK(updated["checksum"] != created["checksum"]);
  CHECK(body_json(server.get("/api/v1/campaigns/" + std::to_string(id))) == updated);

  // Pause and resume.
  const auto paused = server.send("POST", "/api/v1/campaigns/" + std::to_string(id) + "/pause");
  INFO(paused.describe());
  REQUIRE(paused.status == 200);
  CHECK(body_json(paused)["status"] == "paused");
  expect_error(server.send("POST", "/api/v1/campaigns/" + std::to_string(id) + "/pause"), 409, "conflict");
  const auto resumed = server.send("POST", "/api/v1/campaigns/" + std::to_string(id) + "/resume");
  INFO(resumed.describe());
  REQUIRE(resumed.status == 200);
  CHECK(body_json(resumed)["status"] == "active");  // startsAt is in the past
  expect_error(server.send("POST", "/api/v1/campaigns/" + std::to_string(id) + "/resume"), 409, "conflict");

  // A draft cannot be paused.
  const json a_draft = create(server, {{"organizationId", 2}, {"name", "Draft only"}});
  CHECK(a_draft["status"] == "draft");
  expect_error(server.send("POST", "/api/v1/campaigns/" + a_draft["id"].dump() + "/pause"), 409, "conflict");

  // The list shows the campaign while it exists.
  CHECK(contains_id(get_page(server, "?organizationId=2&limit=100"), id));

  // Delete: 204 without a body; then 404, gone from the list, back with includeDeleted.
  const auto deleted = server.send("DELETE", "/api/v1/campaigns/" + std::to_string(id));
  INFO(deleted.describe());
  CHECK(deleted.status == 204);
  CHECK(deleted.body.empty());
  expect_error(server.get("/api/v1/campaigns/" + std::to_string(id)), 404, "not_found");
  expect_error(server.send("DELETE", "/api/v1/campaigns/" + std::to_string(id)), 404, "not_found");
  expect_error(server.send("PUT", "/api/v1/campaigns/" + std::to_string(id), R"({"name":"x"})"), 404, "not_found");
  CHECK_FALSE(contains_id(get_page(server, "?organizationId=2&limit=100"), id));
  CHECK_FALSE(contains_id(get_page(server, "?limit=100"), id));
  const json with_deleted = get_page(server, "?organizationId=2&limit=100&includeDeleted=true");
  REQUIRE(contains_id(with_deleted, id));
  for (const auto& c : with_deleted) {
    if (c["id"] == id) {
      CHECK(c["deleted"] == true);
      CHECK(c["name"] == "Quokka Relaunch");
    }
  }
}

TEST_CASE("campaign list order filters paging and the legacy path", "[api][campaigns]") {
  SeededInstallation inst;
  RedisServerProcess redis;
  ServeProcess server(inst.env(redis.url()));

  // Two campaigns of our own in organization 4 for the search checks.
  const json quokka = create(server, {{"organizationId", 4}, {"name", "Quokka Springs"}, {"status", "active"}});
  const json platypus =
      create(server,
             {{"organizationId", 4}, {"name", "River Week"}, {"description", "A PLATYPUS parade"}, {"enabled", false}});

  // Organization 3 in full (the seed gives every organization 30 campaigns).
  const json org3_all = get_page(server, "?organizationId=3&limit=100&includeDeleted=true");
  CHECK(org3_all.size() == 30);
  expect_newest_first(org3_all);
  const json org3 = get_page(server, "?organizationId=3&limit=100");
  expect_newest_first(org3);
  const std::vector<std::int64_t> org3_ids = ids_of(org3);
  std::size_t org3_deleted = 0;
  for (const auto& c : org3_all) org3_deleted += c["deleted"].get<bool>() ? 1 : 0;
  CHECK(org3.size() == 30 - org3_deleted);
  for (const auto& c : org3) {
    expect_campaign_shape(c);
    CHECK(c["organizationId"] == 3);
    CHECK(c["deleted"] == false);
  }

  {
    INFO("newest first across organizations, ties broken by id");
    const json all = get_page(server, "?limit=100");
    CHECK(all.size() == 100);
    expect_newest_first(all);
    // Of our two, created one after the other, the later comes first.
    const auto ids = ids_of(all);
    const auto q = std::find(ids.begin(), ids.end(), quokka["id"].get<std::int64_t>());
    const auto p = std::find(ids.begin(), ids.end(), platypus["id"].get<std::int64_t>());
    if (q != ids.end() && p != ids.end()) CHECK(p < q);
  }

  {
    INFO("limit: default 20, 100 allowed, 101 refused; offset pages through");
    const json first20 = get_page(server, "?organizationId=3");
    REQUIRE(first20.size() == 20);
    CHECK(ids_of(first20) == std::vector<std::int64_t>(org3_ids.begin(), org3_ids.begin() + 20));
    CHECK(get_page(server, "?limit=100").size() == 100);
    expect_error(server.get("/api/v1/campaigns?limit=101"), 400, "invalid_argument");
    const json page2 = get_page(server, "?organizationId=3&limit=5&offset=5");
    CHECK(ids_of(page2) == std::vector<std::int64_t>(org3_ids.begin() + 5, org3_ids.begin() + 10));
    const json tail = get_page(server, "?organizationId=3&limit=20&offset=20");
    CHECK(ids_of(tail) == std::vector<std::int64_t>(org3_ids.begin() + 20, org3_ids.end()));
    CHECK(get_page(server, "?organizationId=3&offset=1000").empty());
  }

  {
    INFO("enabled");
    const json on = get_page(server, "?organizationId=3&limit=100&enabled=true");
    const json off = get_page(server, "?organizationId=3&limit=100&enabled=false");
    for (const auto& c : on) CHECK(c["enabled"] == true);
    for (const auto& c : off) CHECK(c["enabled"] == false);
    CHECK(on.size() + off.size() == org3.size());
    CHECK_FALSE(off.empty());  // the seed disables about one in ten
    expect_newest_first(on);
    CHECK(get_page(server, "?organizationId=3&limit=100&enabled=1") == on);
  }

  {
    INFO("search is case-insensitive, in the name or the description");
    json found = get_page(server, "?search=qUoKkA");
    REQUIRE(found.size() == 1);
    CHECK(found[0]["id"] == quokka["id"]);
    found = get_page(server, "?search=platypus&organizationId=4");
    REQUIRE(found.size() == 1);
    CHECK(found[0]["id"] == platypus["id"]);
    CHECK(get_page(server, "?search=platypus&organizationId=4&enabled=true").empty());

    // Against the seeded data: every match and only matches.
    json everything = get_page(server, "?limit=100");
    const json rest = get_page(server, "?limit=100&offset=100");
    for (const auto& c : rest) everything.push_back(c);
    REQUIRE(get_page(server, "?limit=100&offset=200").empty());
    for (const std::string term : {"FRIDAY", "summer", "Leads"}) {
      std::vector<std::int64_t> expected;
      for (const auto& c : everything) {
        const auto text = lower(c["name"].get<std::string>()) + "\n" + lower(c["description"].get<std::string>());
        if (text.find(lower(term)) != std::string::npos) expected.push_back(c["id"].get<std::int64_t>());
      }
      INFO("search=" << term);
      CHECK(ids_of(get_page(server, "?limit=100&search=" + term)) == expected);
    }
    // Query decoding: '+' and %20 are spaces; non-ASCII letters fold too.
    const json black_friday = get_page(server, "?limit=100&search=black+friday");
    CHECK(get_page(server, "?limit=100&search=BLACK%20FRIDAY") == black_friday);
    for (const auto& c : black_friday) {
      CHECK(lower(c["name"].get<std::string>() + " " + c["description"].get<std::string>()).find("black friday") !=
            std::string::npos);
    }
    std::vector<std::int64_t> magica;  // "Navidad Mágica" is a seeded topic
    for (const auto& c : everything) {
      const std::string text = c["name"].get<std::string>() + " " + c["description"].get<std::string>();
      if (text.find("M\xC3\xA1gica") != std::string::npos || text.find("m\xC3\xA1gica") != std::string::npos) {
        magica.push_back(c["id"].get<std::int64_t>());
      }
    }
    CHECK_FALSE(magica.empty());
    CHECK(ids_of(get_page(server, "?limit=100&search=M%C3%81GICA")) == magica);
    CHECK(ids_of(get_page(server, "?limit=100&search=m%C3%A1gica")) == magica);
    // Characters special to LIKE are literal.
    CHECK(get_page(server, "?search=%25").empty());
    CHECK(get_page(server, "?search=_").empty());
  }

  {
    INFO("includeDeleted");
    CHECK(ids_of(get_page(server, "?organizationId=3&limit=100&includeDeleted=true")) == ids_of(org3_all));
    CHECK(ids_of(get_page(server, "?organizationId=3&limit=100&includeDeleted=false")) == ids_of(org3));
    CHECK(org3_deleted > 0);  // the seed soft-deletes about 3 in 100; organization 3 has some
  }

  {
    INFO("/campaigns answers the same bytes as /api/v1/campaigns");
    for (const std::string query : {"", "?organizationId=3", "?organizationId=3&enabled=true&limit=7&offset=2",
                                    "?search=quokka", "?includeDeleted=true&limit=50"}) {
      const auto v1 = server.get("/api/v1/campaigns" + query);
      const auto legacy = server.get("/campaigns" + query);
      INFO("query " << query << "\n" << v1.describe() << "\n---\n" << legacy.describe());
      CHECK(v1.status == 200);
      CHECK(legacy.status == 200);
      CHECK(legacy.body == v1.body);
      CHECK(legacy.header("Content-Type") == v1.header("Content-Type"));
    }
    expect_error(server.get("/campaigns?limit=0"), 400, "invalid_argument");
  }
}

TEST_CASE("errors are JSON with the right status", "[api][campaigns][errors]") {
  SeededInstallation inst;
  RedisServerProcess redis;
  ServeProcess server(inst.env(redis.url(), {{"PROMPTSALES_HTTP_MAX_BODY_BYTES", "1024"}}));

  // Bad query parameters.
  CHECK_THAT(expect_error(server.get("/api/v1/campaigns?organizationId=abc"), 400, "invalid_argument"),
             Catch::Contains("organizationId"));
  CHECK_THAT(expect_error(server.get("/api/v1/campaigns?enabled=maybe"), 400, "invalid_argument"),
             Catch::Contains("enabled"));
  CHECK_THAT(expect_error(server.get("/api/v1/campaigns?limit=0"), 400, "invalid_argument"), Catch::Contains("limit"));
  CHECK_THAT(expect_error(server.get("/api/v1/campaigns?limit=101"), 400, "invalid_argument"),
             Catch::Contains("limit"));
  CHECK_THAT(expect_error(server.get("/api/v1/campaigns?offset=-1"), 400, "invalid_argument"),
             Catch::Contains("offset"));
  CHECK_THAT(expect_error(server.get("/api/v1/campaigns?organizationId=0"), 400, "invalid_argument"),
             Catch::Contains("organizationId"));
  CHECK_THAT(expect_error(server.get("/api/v1/campaigns?includeDeleted=yes"), 400, "invalid_argument"),
             Catch::Contains("includeDeleted"));
  CHECK_THAT(expect_error(server.get("/api/v1/campaigns?limit=5&limit=6"), 400, "invalid_argument"),
             Catch::Contains("limit"));
  CHECK_THAT(expect_error(server.get("/api/v1/campaigns?search=" + std::string(201, 'a')), 400, "invalid_argument"),
             Catch::Contains("search"));

  // Bad bodies.
  CHECK_THAT(
      expect_error(server.send("POST", "/api/v1/campaigns", R"({"organizationId":1,"name":)"), 400, "invalid_argument"),
      Catch::Contains("JSON"));
  CHECK_THAT(expect_error(server.send("POST", "/api/v1/campaigns", R"({"organizationId":1,"name":"x","colour":"red"})"),
                          400, "invalid_argument"),
             Catch::Contains("colour"));
  CHECK_THAT(
      expect_error(server.send("POST", "/api/v1/campaigns", R"({"name":"no organization"})"), 400, "invalid_argument"),
      Catch::Contains("organizationId"));
  const json c = create(server, {{"organizationId", 1}, {"name", "Error target"}});
  const std::string path = "/api/v1/campaigns/" + c["id"].dump();
  CHECK_THAT(expect_error(server.send("PUT", path, R"({"flavour":"mint"})"), 400, "invalid_argument"),
             Catch::Contains("flavour"));
  CHECK_THAT(expect_error(server.send("PUT", path, "not json"), 400, "invalid_argument"), Catch::Contains("JSON"));
  CHECK_THAT(expect_error(server.send("PUT", path, R"({"organizationId":2})"), 400, "invalid_argument"),
             Catch::Contains("organizationId"));

  // Ids.
  expect_error(server.get("/api/v1/campaigns/987654321"), 404, "not_found");
  expect_error(server.send("POST", "/api/v1/campaigns/987654321/pause"), 404, "not_found");
  expect_error(server.send("DELETE", "/api/v1/campaigns/987654321"), 404, "not_found");
  for (const std::string bad : {"abc", "-5", "0", "12abc", "99999999999999999999999"}) {
    INFO("id " << bad);
    expect_error(server.get("/api/v1/campaigns/" + bad), 400, "invalid_argument");
  }

  // Methods and paths.
  const auto patch = server.send("PATCH", "/api/v1/campaigns", R"({"name":"x"})");
  expect_error(patch, 405, "method_not_allowed");
  const auto allow = patch.header("Allow");
  REQUIRE(allow);
  CHECK_THAT(*allow, Catch::Contains("GET") && Catch::Contains("POST"));
  const auto del_collection = server.send("DELETE", "/api/v1/campaigns");
  expect_error(del_collection, 405, "method_not_allowed");
  CHECK(del_collection.header("Allow"));
  const auto post_one = server.send("POST", path, R"({"name":"x"})");
  expect_error(post_one, 405, "method_not_allowed");
  CHECK_THAT(post_one.header("Allow").value_or(""), Catch::Contains("PUT") && Catch::Contains("DELETE"));
  expect_error(server.get("/api/v1/nothing-here"), 404, "not_found");
  expect_error(server.get("/api/v2/campaigns"), 404, "not_found");

  // Body over PROMPTSALES_HTTP_MAX_BODY_BYTES.
  const std::string big = json{{"organizationId", 1}, {"name", "big"}, {"description", std::string(4096, 'x')}}.dump();
  CHECK_THAT(expect_error(server.send("POST", "/api/v1/campaigns", big), 413, "payload_too_large"),
             Catch::Contains("1024"));
  // The server still works afterwards.
  CHECK(server.get("/api/v1/campaigns?limit=1").status == 200);
}
