#include <catch2/catch.hpp>

#include "promptsales/common/http/json_string.hpp"
#include "promptsales/common/http/message.hpp"

using namespace promptsales::http;

TEST_CASE("methods round-trip through their wire names", "[http][message]") {
  for (const Method m : {Method::get, Method::head, Method::post, Method::put, Method::patch, Method::del,
                         Method::options}) {
    CHECK(method_from_string(to_string(m)) == m);
  }
  CHECK(to_string(Method::del) == "DELETE");
  CHECK(method_from_string("get") == Method::other);  // methods are case-sensitive
  CHECK(method_from_string("BREW") == Method::other);
}

TEST_CASE("request accessors", "[http][message]") {
  Request request;
  request.headers = {{"content-type", "application/json"}, {"x-request-id", "abc"}};
  request.query = {{"limit", "20"}, {"limit", "30"}, {"q", ""}};
  request.path_params = {{"id", "42"}};

  CHECK(request.header("Content-Type") == "application/json");
  CHECK(request.header("X-REQUEST-ID") == "abc");
  CHECK_FALSE(request.header("accept").has_value());
  CHECK(request.query_param("limit") == "20");  // the first value wins
  CHECK(request.query_param("q") == "");
  CHECK_FALSE(request.query_param("Limit").has_value());
  CHECK(request.path_param("id") == "42");
  CHECK_FALSE(request.path_param("name").has_value());
}

TEST_CASE("response factories", "[http][message]") {
  const Response json = Response::json(201, R"({"a":1})");
  CHECK(json.status == 201);
  CHECK(json.content_type == "application/json");
  CHECK(*json.body == R"({"a":1})");

  auto cached = std::make_shared<const std::string>("[]");
  const Response shared = Response::shared_json(200, cached);
  CHECK(shared.body.get() == cached.get());  // the very same string: nothing copied

  const Response text = Response::text(200, "hi");
  CHECK(text.content_type == "text/plain; charset=utf-8");
  CHECK(*text.body == "hi");

  const Response none = Response::no_content();
  CHECK(none.status == 204);
  CHECK(none.body == nullptr);
}

TEST_CASE("error bodies are JSON with escaped code and message", "[http][message]") {
  CHECK(*Response::error(404, "not_found", "no such campaign").body ==
        R"({"error":{"code":"not_found","message":"no such campaign"}})");
  const Response tricky = Response::error(400, "invalid_argument", "name: \"x\\y\"\n\tend");
  CHECK(tricky.status == 400);
  CHECK(*tricky.body == R"({"error":{"code":"invalid_argument","message":"name: \"x\\y\"\n\tend"}})");
}

TEST_CASE("json_string escapes controls and repairs UTF-8", "[http][message]") {
  CHECK(json_string("plain") == "\"plain\"");
  CHECK(json_string(std::string("a\0b", 3)) == "\"a\\u0000b\"");
  CHECK(json_string("\x01\x1f\x7f") == "\"\\u0001\\u001f\\u007f\"");
  CHECK(json_string("\b\f\r") == "\"\\b\\f\\r\"");
  CHECK(json_string("/") == "\"/\"");
  // Valid multi-byte sequences pass through untouched.
  CHECK(json_string("ñ € 😀") == "\"ñ € 😀\"");
  // Invalid bytes, truncated sequences, overlongs and surrogates become U+FFFD.
  CHECK(json_string("a\xff" "b") == "\"a\\ufffdb\"");
  CHECK(json_string("\xe2\x82") == "\"\\ufffd\\ufffd\"");
  CHECK(json_string("\xc0\xaf") == "\"\\ufffd\\ufffd\"");
  CHECK(json_string("\xed\xa0\x80") == "\"\\ufffd\\ufffd\\ufffd\"");
  CHECK(json_string("\xf4\x90\x80\x80") == "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
  // Line and paragraph separators are escaped for JavaScript consumers.
  CHECK(json_string("\xe2\x80\xa8\xe2\x80\xa9") == "\"\\u2028\\u2029\"");
}

TEST_CASE("parse_target splits and decodes path and query", "[http][target]") {
  auto t = parse_target("/api/v1/campaigns?organizationId=org%201&limit=20&name=a+b&flag&&empty=");
  REQUIRE(t);
  CHECK(t->path == "/api/v1/campaigns");
  REQUIRE(t->query.size() == 5);
  CHECK(t->query[0] == std::pair<std::string, std::string>{"organizationId", "org 1"});
  CHECK(t->query[1] == std::pair<std::string, std::string>{"limit", "20"});
  CHECK(t->query[2] == std::pair<std::string, std::string>{"name", "a b"});
  CHECK(t->query[3] == std::pair<std::string, std::string>{"flag", ""});
  CHECK(t->query[4] == std::pair<std::string, std::string>{"empty", ""});

  t = parse_target("/caf%C3%A9/a+b");
  REQUIRE(t);
  CHECK(t->path == "/café/a+b");  // '+' is literal in a path
  CHECK(t->query.empty());

  t = parse_target("/x?a=1%3D2%26b&c%20d=%2B");
  REQUIRE(t);
  CHECK(t->query[0].second == "1=2&b");
  CHECK(t->query[1] == std::pair<std::string, std::string>{"c d", "+"});

  t = parse_target("/");
  REQUIRE(t);
  CHECK(t->path == "/");

  t = parse_target("http://example.com:8080/a/b?x=1");
  REQUIRE(t);
  CHECK(t->path == "/a/b");
  CHECK(t->query.size() == 1);
  t = parse_target("https://example.com");
  REQUIRE(t);
  CHECK(t->path == "/");
}

TEST_CASE("parse_target rejects malformed targets", "[http][target]") {
  CHECK_FALSE(parse_target("/a%zz"));
  CHECK_FALSE(parse_target("/a%4"));
  CHECK_FALSE(parse_target("/a%"));
  CHECK_FALSE(parse_target("/a%00b"));
  CHECK_FALSE(parse_target(std::string("/a\0b", 4)));
  CHECK_FALSE(parse_target("/x?a=%g1"));
  CHECK_FALSE(parse_target("/x?a%00=1"));
  CHECK_FALSE(parse_target("*"));
  CHECK_FALSE(parse_target("relative/path"));
  CHECK_FALSE(parse_target(""));
}

TEST_CASE("parse_target reuses caller storage", "[http][target]") {
  std::string path = "previous content that is long enough to be on the heap";
  Fields query{{"old", "value"}};
  REQUIRE(parse_target("/new?k=v", path, query));
  CHECK(path == "/new");
  REQUIRE(query.size() == 1);
  CHECK(query[0].first == "k");
}

TEST_CASE("percent_decode", "[http][target]") {
  CHECK(percent_decode("a%2Fb%2fc", false) == "a/b/c");
  CHECK(percent_decode("a+b", false) == "a+b");
  CHECK(percent_decode("a+b", true) == "a b");
  CHECK(percent_decode("%41%42", true) == "AB");
  CHECK(percent_decode("", true) == "");
  CHECK_FALSE(percent_decode("%", false));
  CHECK_FALSE(percent_decode("%x1", false));
  CHECK_FALSE(percent_decode("%00", true));
}
