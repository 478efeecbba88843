// Slow and idle clients, and the connection cap.
#include <catch2/catch.hpp>

#include "raw_client.hpp"
#include "test_server.hpp"

using namespace promptsales::http;
using namespace promptsales::http::test;
using namespace std::chrono_literals;

namespace {

Router one_route() {
  Router r;
  r.add(Method::get, "/a", "a", fast_json("\"a\""));
  r.add(Method::post, "/a", "a_post", fast_json("\"posted\""));
  return r;
}

ServerOptions short_timeouts() {
  ServerOptions options = test_options();
  options.read_timeout = 300ms;
  options.idle_timeout = 300ms;
  return options;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

TEST_CASE("a request whose head arrives too slowly gets 408 and a close", "[http][timeouts]") {
  TestServer s(one_route(), short_timeouts());
  RawClient client(s.port());
  const auto start = std::chrono::steady_clock::now();
  REQUIRE(client.send("GET /a HTTP/1.1\r\nHost: t\r\n"));  // the blank line never comes
  const auto res = client.read_response(2s);
  REQUIRE(res);
  CHECK(seconds_since(start) >= 0.25);
  CHECK(res->status == 408);
  CHECK(res->header("connection") == "close");
  CHECK(res->body.find(R"("code":"request_timeout")") != std::string::npos);
  CHECK(client.closed_within(2s));

  REQUIRE(eventually([&] { return s.observer->closed == 1; }));
  const auto ends = s.observer->ends();
  REQUIRE(ends.size() == 1);
  CHECK(ends[0].route == "unmatched");
  CHECK(ends[0].status == 408);
}

TEST_CASE("a body that arrives too slowly gets 408", "[http][timeouts]") {
  TestServer s(one_route(), short_timeouts());
  RawClient client(s.port());
  REQUIRE(client.send("POST /a HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc"));
  const auto res = client.read_response(2s);
  REQUIRE(res);
  CHECK(res->status == 408);
}

TEST_CASE("a connection that never sends a request is closed silently", "[http][timeouts]") {
  TestServer s(one_route(), short_timeouts());
  RawClient client(s.port());
  const auto start = std::chrono::steady_clock::now();
  CHECK(client.closed_within(2s));
  CHECK(seconds_since(start) >= 0.25);
  CHECK(client.pending().empty());
  CHECK(s.observer->starts == 0);
}

TEST_CASE("an idle keep-alive connection is closed after idle_timeout", "[http][timeouts]") {
  ServerOptions options = short_timeouts();
  options.read_timeout = 5s;  // only the idle timeout can close it
  TestServer s(one_route(), options);
  RawClient client(s.port());
  auto res = client.roundtrip(get_request("/a"));
  REQUIRE(res);
  // Activity restarts the idle clock.
  std::this_thread::sleep_for(150ms);
  res = client.roundtrip(get_request("/a"));
  REQUIRE(res);
  CHECK(res->status == 200);

  const auto start = std::chrono::steady_clock::now();
  CHECK(client.closed_within(2s));
  const double waited = seconds_since(start);
  CHECK(waited >= 0.25);
  CHECK(waited < 1.0);
  CHECK(client.pending().empty());  // closed without a response
}

TEST_CASE("connections beyond max_connections get 503 and are closed", "[http][limits]") {
  ServerOptions options = test_options();
  options.max_connections = 2;
  TestServer s(one_route(), options);
  RawClient first(s.port());
  RawClient second(s.port());
  REQUIRE(first.roundtrip(get_request("/a")));
  REQUIRE(second.roundtrip(get_request("/a")));

  {
    RawClient third(s.port());
    const auto res = third.read_response(2s);
    REQUIRE(res);
    CHECK(res->status == 503);
    CHECK(res->header("connection") == "close");
    CHECK(res->body.find(R"("code":"unavailable")") != std::string::npos);
    CHECK(third.closed_within(2s));
  }
  CHECK(eventually([&] { return s.observer->rejected == 1; }));
  CHECK(s.observer->opened == 2);

  // The served connections still work, and a freed slot is reused.
  REQUIRE(first.roundtrip(get_request("/a")));
  REQUIRE(second.roundtrip(get_request("/a", "Connection: close\r\n")));
  REQUIRE(second.closed_within(2s));
  REQUIRE(eventually([&] { return s.observer->closed == 1; }));
  RawClient fourth(s.port());
  const auto res = fourth.roundtrip(get_request("/a"));
  REQUIRE(res);
  CHECK(res->status == 200);
}
