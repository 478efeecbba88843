// Request handling over real loopback sockets: framing, headers, keep-alive,
// pipelining, HEAD, HTTP/1.0, bodies and limits.
#include <catch2/catch.hpp>

#include "raw_client.hpp"
#include "test_server.hpp"

using namespace promptsales::http;
using namespace promptsales::http::test;

namespace {

Router basic_router() {
  Router r;
  r.add(Method::get, "/hello", "hello", fast_json(R"({"hello":"world"})"));
  r.add(Method::get, "/a", "a", fast_json("\"a\""));
  r.add(Method::get, "/b", "b", fast_json("\"b\""));
  r.add(Method::post, "/a", "a_post", fast_json("\"posted\""));

  Handler echo;
  echo.fast = [](const Request& req) -> std::optional<Response> {
    return Response::text(200, req.body, "application/octet-stream");
  };
  r.add(Method::post, "/echo", "echo", echo);

  Handler inspect;
  inspect.fast = [](const Request& req) -> std::optional<Response> {
    std::string out = "path=" + req.path + ";id=" + std::string(req.path_param("id").value_or("-")) +
                      ";limit=" + std::string(req.query_param("limit").value_or("-")) +
                      ";name=" + std::string(req.query_param("name").value_or("-")) +
                      ";rid=" + req.request_id + ";remote=" + req.remote_address +
                      ";ua=" + std::string(req.header("User-Agent").value_or("-"));
    return Response::text(200, out);
  };
  r.add(Method::get, "/items/{id}", "item", inspect);

  Handler empty;
  empty.fast = [](const Request&) -> std::optional<Response> { return Response::no_content(); };
  r.add(Method::del, "/items/{id}", "item_delete", empty);

  Handler headers;
  headers.fast = [](const Request&) -> std::optional<Response> {
    Response res = Response::json(200, "{}");
    res.headers.emplace_back("Cache-Control", "no-store");
    res.headers.emplace_back("Content-Length", "999");        // server-owned: ignored
    res.headers.emplace_back("X-Evil", "a\r\nSet-Cookie: x");  // would split the response: dropped
    return res;
  };
  r.add(Method::get, "/headers", "headers", headers);
  return r;
}

ServerOptions small_limits() {
  ServerOptions options = test_options();
  options.max_header_bytes = 1024;
  options.max_body_bytes = 1024;
  return options;
}

}  // namespace

TEST_CASE("a fast route answers with the standard headers", "[http][server]") {
  TestServer s(basic_router());
  RawClient client(s.port());
  const auto res = client.roundtrip(get_request("/hello"));
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->body == R"({"hello":"world"})");
  CHECK(res->header("content-type") == "application/json");
  CHECK(res->header("content-length") == std::to_string(res->body.size()));
  CHECK(res->header("server") == "test-server");
  CHECK(res->header("date").size() == 29);
  CHECK(res->header("x-request-id").size() >= 24);
  CHECK(res->header("connection").empty());  // HTTP/1.1 keeps the connection by default
}

TEST_CASE("X-Request-Id is echoed when safe and replaced otherwise", "[http][server]") {
  TestServer s(basic_router());
  RawClient client(s.port());

  auto res = client.roundtrip(get_request("/items/1", "X-Request-Id: trace-123_abc\r\n"));
  REQUIRE(res);
  CHECK(res->header("x-request-id") == "trace-123_abc");
  CHECK(res->body.find(";rid=trace-123_abc;") != std::string::npos);  // handlers see it too

  res = client.roundtrip(get_request("/hello", "X-Request-Id: " + std::string(100, 'a') + "\r\n"));
  REQUIRE(res);
  CHECK(res->header("x-request-id") != std::string(100, 'a'));
  CHECK_FALSE(res->header("x-request-id").empty());

  res = client.roundtrip(get_request("/hello", "X-Request-Id: has space\r\n"));
  REQUIRE(res);
  CHECK(res->header("x-request-id") != "has space");

  const auto first = client.roundtrip(get_request("/hello"));
  const auto second = client.roundtrip(get_request("/hello"));
  REQUIRE(first);
  REQUIRE(second);
  CHECK(first->header("x-request-id") != second->header("x-request-id"));
}

TEST_CASE("path params, query params, headers and remote address reach the handler", "[http][server]") {
  TestServer s(basic_router());
  RawClient client(s.port());
  const auto res = client.roundtrip(get_request("/items/c%2D42/?limit=20&name=a+b%21", "User-Agent: probe\r\n"));
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->body.find("path=/items/c-42/;id=c-42;limit=20;name=a b!;") == 0);
  CHECK(res->body.find(";remote=127.0.0.1;ua=probe") != std::string::npos);
}

TEST_CASE("unknown paths get 404 and wrong methods 405 with Allow, as JSON", "[http][server]") {
  TestServer s(basic_router());
  RawClient client(s.port());

  auto res = client.roundtrip(get_request("/missing"));
  REQUIRE(res);
  CHECK(res->status == 404);
  CHECK(res->header("content-type") == "application/json");
  CHECK(res->body.find(R"({"error":{"code":"not_found","message":)") == 0);

  res = client.roundtrip("PUT /a HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n");
  REQUIRE(res);
  CHECK(res->status == 405);
  CHECK(res->header("allow") == "GET, HEAD, POST");
  CHECK(res->body.find(R"("code":"method_not_allowed")") != std::string::npos);

  const auto ends = s.observer->ends_when(2);
  REQUIRE(ends.size() == 2);
  CHECK(ends[0].route == "unmatched");
  CHECK(ends[0].status == 404);
  CHECK(ends[1].route == "unmatched");
  CHECK(ends[1].method == Method::put);
  CHECK(ends[1].status == 405);
}

TEST_CASE("a malformed target gets 400 and the connection stays usable", "[http][server]") {
  TestServer s(basic_router());
  RawClient client(s.port());
  auto res = client.roundtrip(get_request("/a%zz"));
  REQUIRE(res);
  CHECK(res->status == 400);
  CHECK(res->body.find(R"("code":"bad_request")") != std::string::npos);
  res = client.roundtrip(get_request("/a%00"));
  REQUIRE(res);
  CHECK(res->status == 400);
  res = client.roundtrip(get_request("/a"));
  REQUIRE(res);
  CHECK(res->status == 200);
}

TEST_CASE("malformed HTTP gets 400 and a close", "[http][server]") {
  TestServer s(basic_router());
  RawClient client(s.port());
  const auto res = client.roundtrip("GET /a HTTP/1.1\r\nBad Header Line\r\n\r\n");
  REQUIRE(res);
  CHECK(res->status == 400);
  CHECK(res->header("connection") == "close");
  CHECK(client.closed_within(std::chrono::seconds(2)));
}

TEST_CASE("ambiguous framing is refused rather than guessed", "[http][server]") {
  TestServer s(basic_router());
  // Content-Length with chunked is the classic request-smuggling vector.
  RawClient both(s.port());
  auto res = both.roundtrip("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n"
                            "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
  REQUIRE(res);
  CHECK(res->status == 400);
  CHECK(res->header("connection") == "close");

  RawClient twice(s.port());
  res = twice.roundtrip("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd");
  REQUIRE(res);
  CHECK(res->status == 400);
}

TEST_CASE("an oversized body gets 413 before it is read", "[http][server]") {
  TestServer s(basic_router(), small_limits());
  RawClient client(s.port());
  const auto res = client.roundtrip("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5000000\r\n\r\n");
  REQUIRE(res);
  CHECK(res->status == 413);
  CHECK(res->header("connection") == "close");
  CHECK(res->body.find(R"("code":"payload_too_large")") != std::string::npos);
  CHECK(client.closed_within(std::chrono::seconds(2)));

  // Chunked bodies are counted as they arrive.
  RawClient chunked(s.port());
  std::string request = "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 3; ++i) request += "200\r\n" + std::string(0x200, 'x') + "\r\n";
  request += "0\r\n\r\n";
  const auto res2 = chunked.roundtrip(request);
  REQUIRE(res2);
  CHECK(res2->status == 413);
}

TEST_CASE("oversized headers get 431", "[http][server]") {
  TestServer s(basic_router(), small_limits());
  RawClient client(s.port());
  const auto res = client.roundtrip(get_request("/a", "X-Big: " + std::string(2000, 'b') + "\r\n"));
  REQUIRE(res);
  CHECK(res->status == 431);
  CHECK(res->header("connection") == "close");
  CHECK(res->body.find(R"("code":"header_too_large")") != std::string::npos);
}

TEST_CASE("request bodies arrive whole: Content-Length, chunked and 100-continue", "[http][server]") {
  TestServer s(basic_router(), small_limits());
  RawClient client(s.port());
  auto res = client.roundtrip("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\nhello world");
  REQUIRE(res);
  CHECK(res->body == "hello world");

  res = client.roundtrip("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
  REQUIRE(res);
  CHECK(res->body == "hello world");

  REQUIRE(client.send("POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n"));
  // The interim response arrives before the body is sent.
  REQUIRE(client.expect_bytes("HTTP/1.1 100 Continue\r\n\r\n"));
  REQUIRE(client.send("body"));
  res = client.read_response();
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->body == "body");
}

TEST_CASE("keep-alive serves many requests on one connection", "[http][server]") {
  TestServer s(basic_router());
  RawClient client(s.port());
  for (int i = 0; i < 5; ++i) {
    const auto res = client.roundtrip(get_request(i % 2 == 0 ? "/a" : "/b"));
    REQUIRE(res);
    CHECK(res->body == (i % 2 == 0 ? "\"a\"" : "\"b\""));
  }
  CHECK(s.observer->opened == 1);
  CHECK(s.observer->starts == 5);
}

TEST_CASE("pipelined requests are answered in order", "[http][server]") {
  TestServer s(basic_router());
  RawClient client(s.port());
  REQUIRE(client.send(get_request("/a") + get_request("/missing") + get_request("/b") +
                      "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nxyz" + get_request("/a")));
  const char* expected[] = {"\"a\"", nullptr, "\"b\"", "xyz", "\"a\""};
  for (const char* body : expected) {
    const auto res = client.read_response();
    REQUIRE(res);
    if (body == nullptr) {
      CHECK(res->status == 404);
    } else {
      CHECK(res->status == 200);
      CHECK(res->body == body);
    }
  }
}

TEST_CASE("HEAD gets the GET headers without a body", "[http][server]") {
  TestServer s(basic_router());
  RawClient client(s.port());
  const auto res = client.roundtrip("HEAD /hello HTTP/1.1\r\nHost: t\r\n\r\n");
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->header("content-length") == "17");
  CHECK(res->body.empty());
  // Had a body been sent, it would be read as the next response's start.
  const auto next = client.roundtrip(get_request("/a"));
  REQUIRE(next);
  CHECK(next->status == 200);
  CHECK(next->body == "\"a\"");
}

TEST_CASE("HTTP/1.0 closes unless asked to keep alive", "[http][server]") {
  TestServer s(basic_router());
  {
    RawClient client(s.port());
    const auto res = client.roundtrip("GET /a HTTP/1.0\r\n\r\n");
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(res->header("connection") == "close");
    CHECK(client.closed_within(std::chrono::seconds(2)));
  }
  RawClient client(s.port());
  for (int i = 0; i < 2; ++i) {
    const auto res = client.roundtrip("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    REQUIRE(res);
    CHECK(res->header("connection") == "keep-alive");
  }
  const auto res = client.roundtrip(get_request("/a", "Connection: close\r\n"));
  REQUIRE(res);
  CHECK(res->header("connection") == "close");
  CHECK(client.closed_within(std::chrono::seconds(2)));
}

TEST_CASE("204 has neither body nor Content-Length", "[http][server]") {
  TestServer s(basic_router());
  RawClient client(s.port());
  REQUIRE(client.send("DELETE /items/9 HTTP/1.1\r\nHost: t\r\n\r\n"));
  const auto res = client.read_response();
  REQUIRE(res);
  CHECK(res->status == 204);
  CHECK(res->headers.count("content-length") == 0);
  CHECK(res->headers.count("content-type") == 0);
  const auto next = client.roundtrip(get_request("/a"));
  REQUIRE(next);
  CHECK(next->body == "\"a\"");
}

TEST_CASE("handler headers are sent but server-owned and unsafe ones are not", "[http][server]") {
  TestServer s(basic_router());
  RawClient client(s.port());
  const auto res = client.roundtrip(get_request("/headers"));
  REQUIRE(res);
  CHECK(res->header("cache-control") == "no-store");
  CHECK(res->header("content-length") == "2");
  CHECK(res->headers.count("x-evil") == 0);
  CHECK(res->headers.count("set-cookie") == 0);
}

TEST_CASE("a shared body is sent as is and released after the write", "[http][server]") {
  auto cached = std::make_shared<const std::string>(std::string(8192, 'c'));
  Router r;
  Handler h;
  h.fast = [cached](const Request&) -> std::optional<Response> { return Response::shared_json(200, cached); };
  r.add(Method::get, "/cached", "cached", h);
  TestServer s(std::move(r));
  const long holders_before = cached.use_count();  // the test and the handler copies
  RawClient client(s.port());
  for (int i = 0; i < 3; ++i) {
    const auto res = client.roundtrip(get_request("/cached"));
    REQUIRE(res);
    CHECK(res->body == *cached);
  }
  // The server kept no reference once the responses were written.
  CHECK(eventually([&] { return cached.use_count() == holders_before; }));
}
