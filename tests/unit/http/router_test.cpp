#include <catch2/catch.hpp>

#include <stdexcept>

#include "promptsales/common/http/router.hpp"

using namespace promptsales::http;

namespace {

Handler fast_text(std::string text) {
  Handler h;
  h.fast = [text](const Request&) -> std::optional<Response> { return Response::text(200, text); };
  return h;
}

Router sample_router() {
  Router r;
  r.add(Method::get, "/health", "health", fast_text("health"));
  r.add(Method::get, "/api/v1/campaigns", "campaigns_list", fast_text("list"));
  r.add(Method::post, "/api/v1/campaigns", "campaigns_create", fast_text("create"));
  r.add(Method::get, "/api/v1/campaigns/{id}", "campaigns_get", fast_text("get"));
  r.add(Method::del, "/api/v1/campaigns/{id}", "campaigns_delete", fast_text("delete"));
  r.add(Method::post, "/api/v1/campaigns/{id}/pause", "campaigns_pause", fast_text("pause"));
  r.add(Method::get, "/api/v1/campaigns/stats", "campaigns_stats", fast_text("stats"));
  r.add(Method::get, "/api/v1/organizations/{org}/campaigns/{campaign}", "org_campaign", fast_text("nested"));
  r.add(Method::get, "/", "root", fast_text("root"));
  return r;
}

}  // namespace

TEST_CASE("literal routes match exactly, trailing slash tolerated", "[http][router]") {
  const Router r = sample_router();
  auto m = r.match(Method::get, "/health");
  REQUIRE(m.route);
  CHECK(m.route->name == "health");
  CHECK(m.path_params.empty());

  m = r.match(Method::get, "/api/v1/campaigns/");
  REQUIRE(m.route);
  CHECK(m.route->name == "campaigns_list");

  m = r.match(Method::post, "/api/v1/campaigns");
  REQUIRE(m.route);
  CHECK(m.route->name == "campaigns_create");

  m = r.match(Method::get, "/");
  REQUIRE(m.route);
  CHECK(m.route->name == "root");

  CHECK_FALSE(r.match(Method::get, "/healthz").route);
  CHECK_FALSE(r.match(Method::get, "/health/extra").route);
  CHECK_FALSE(r.match(Method::get, "/api/v1").route);
}

TEST_CASE("placeholders capture path params", "[http][router]") {
  const Router r = sample_router();
  auto m = r.match(Method::get, "/api/v1/campaigns/c-42");
  REQUIRE(m.route);
  CHECK(m.route->name == "campaigns_get");
  REQUIRE(m.path_params.size() == 1);
  CHECK(m.path_params[0] == std::pair<std::string, std::string>{"id", "c-42"});

  m = r.match(Method::post, "/api/v1/campaigns/c-42/pause/");
  REQUIRE(m.route);
  CHECK(m.route->name == "campaigns_pause");
  CHECK(m.path_params[0].second == "c-42");

  m = r.match(Method::get, "/api/v1/organizations/o1/campaigns/c2");
  REQUIRE(m.route);
  REQUIRE(m.path_params.size() == 2);
  CHECK(m.path_params[0] == std::pair<std::string, std::string>{"org", "o1"});
  CHECK(m.path_params[1] == std::pair<std::string, std::string>{"campaign", "c2"});

  // An empty segment never fills a placeholder.
  CHECK_FALSE(r.match(Method::get, "/api/v1/campaigns//pause").route);
}

TEST_CASE("a literal segment wins over a placeholder, with backtracking", "[http][router]") {
  const Router r = sample_router();
  auto m = r.match(Method::get, "/api/v1/campaigns/stats");
  REQUIRE(m.route);
  CHECK(m.route->name == "campaigns_stats");

  // "stats" is literal for GET only; DELETE falls back to the placeholder.
  m = r.match(Method::del, "/api/v1/campaigns/stats");
  REQUIRE(m.route);
  CHECK(m.route->name == "campaigns_delete");
  CHECK(m.path_params[0].second == "stats");

  // "/stats/pause" exists only through the placeholder branch.
  m = r.match(Method::post, "/api/v1/campaigns/stats/pause");
  REQUIRE(m.route);
  CHECK(m.route->name == "campaigns_pause");
}

TEST_CASE("a known path with another method reports 405 data", "[http][router]") {
  const Router r = sample_router();
  auto m = r.match(Method::put, "/api/v1/campaigns");
  CHECK_FALSE(m.route);
  CHECK(m.path_exists);
  CHECK(m.allow == "GET, HEAD, POST");

  m = r.match(Method::patch, "/api/v1/campaigns/7");
  CHECK_FALSE(m.route);
  CHECK(m.path_exists);
  CHECK(m.allow == "GET, HEAD, DELETE");

  m = r.match(Method::get, "/nope");
  CHECK_FALSE(m.route);
  CHECK_FALSE(m.path_exists);
  CHECK(m.allow.empty());
}

TEST_CASE("HEAD is served by the GET route unless it has its own", "[http][router]") {
  Router r = sample_router();
  auto m = r.match(Method::head, "/health");
  REQUIRE(m.route);
  CHECK(m.route->method == Method::get);

  r.add(Method::head, "/special", "special_head", fast_text("h"));
  m = r.match(Method::head, "/special");
  REQUIRE(m.route);
  CHECK(m.route->name == "special_head");
  CHECK_FALSE(r.match(Method::post, "/special").route);
  CHECK(r.match(Method::post, "/special").allow == "HEAD");
}

TEST_CASE("invalid route registrations are refused", "[http][router]") {
  Router r;
  CHECK_THROWS_AS(r.add(Method::get, "no-slash", "n", fast_text("")), std::invalid_argument);
  CHECK_THROWS_AS(r.add(Method::get, "/a/{}", "n", fast_text("")), std::invalid_argument);
  CHECK_THROWS_AS(r.add(Method::get, "/a/{id", "n", fast_text("")), std::invalid_argument);
  CHECK_THROWS_AS(r.add(Method::get, "/a/x{id}", "n", fast_text("")), std::invalid_argument);
  CHECK_THROWS_AS(r.add(Method::get, "/a/{id}/{id}", "n", fast_text("")), std::invalid_argument);
  CHECK_THROWS_AS(r.add(Method::get, "/a", "n", Handler{}), std::invalid_argument);
  r.add(Method::get, "/a/{id}", "a", fast_text(""));
  CHECK_THROWS_AS(r.add(Method::get, "/a/{other}", "dup", fast_text("")), std::invalid_argument);
  CHECK(r.routes().size() == 1);
}

TEST_CASE("deep paths do not match and do not crash", "[http][router]") {
  const Router r = sample_router();
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += "/x";
  CHECK_FALSE(r.match(Method::get, deep).route);
}
