// Start-up errors and graceful or forced shutdown.
#include <catch2/catch.hpp>

#include <csignal>
#include <future>
#include <thread>

#include "promptsales/common/errors.hpp"
#include "raw_client.hpp"
#include "test_server.hpp"

using namespace promptsales::http;
using namespace promptsales::http::test;
using namespace std::chrono_literals;

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// A route whose blocking handler waits until the test releases it.
struct GatedRoute {
  std::promise<void> entered;
  std::promise<void> release;
  std::shared_future<void> released{release.get_future().share()};

  Handler handler() {
    Handler h;
    h.blocking = [this](const Request&) -> Response {
      entered.set_value();
      released.wait();
      return Response::json(200, "\"done\"");
    };
    return h;
  }
};

}  // namespace

TEST_CASE("start binds an ephemeral port and reports it", "[http][lifecycle]") {
  Router r;
  r.add(Method::get, "/a", "a", fast_json("1"));
  Server server(test_options(), r);
  CHECK(server.port() == 0);
  server.start();
  CHECK(server.port() != 0);
  CHECK_FALSE(server.draining());
  RawClient client(server.port());
  CHECK(client.roundtrip(get_request("/a")));
}

TEST_CASE("start reports unusable addresses as ConfigError", "[http][lifecycle]") {
  Router r;
  r.add(Method::get, "/a", "a", fast_json("1"));
  Server first(test_options(), r);
  first.start();

  ServerOptions same = test_options();
  same.listen = "127.0.0.1:" + std::to_string(first.port());
  Server second(same, r);
  CHECK_THROWS_AS(second.start(), promptsales::ConfigError);
  try {
    Server third(same, r);
    third.start();
  } catch (const promptsales::ConfigError& e) {
    CHECK(std::string(e.what()).find(same.listen) != std::string::npos);
  }

  // (No unresolvable host name here: without DNS that lookup can stall.)
  for (const char* bad : {"nonsense", "127.0.0.1:99999", "127.0.0.1:http", "::1:80", "127.0.0.1:", "203.0.113.7:0"}) {
    ServerOptions options = test_options();
    options.listen = bad;
    Server server(options, r);
    CHECK_THROWS_AS(server.start(), promptsales::ConfigError);
  }
}

TEST_CASE("host names and bracketed IPv6 addresses are accepted", "[http][lifecycle]") {
  Router r;
  r.add(Method::get, "/a", "a", fast_json("1"));
  ServerOptions options = test_options();
  options.listen = "localhost:0";
  Server server(options, r);
  server.start();
  CHECK(server.port() != 0);

  ServerOptions v6 = test_options();
  v6.listen = "[::1]:0";
  Server server6(v6, r);
  try {
    server6.start();
    CHECK(server6.port() != 0);
  } catch (const promptsales::ConfigError& e) {
    WARN("IPv6 loopback unavailable here: " << e.what());
  }
}

TEST_CASE("shutdown before start leaves nothing to wait for", "[http][lifecycle]") {
  Router r;
  r.add(Method::get, "/a", "a", fast_json("1"));
  Server server(test_options(), r);
  server.begin_shutdown();
  server.begin_shutdown();
  CHECK(server.draining());
  server.start();
  CHECK(server.port() == 0);
  server.wait();
}

TEST_CASE("graceful shutdown finishes in-flight work, refuses new connections", "[http][lifecycle]") {
  GatedRoute gate;
  Router r;
  r.add(Method::get, "/slow", "slow", gate.handler());
  r.add(Method::get, "/a", "a", fast_json("1"));
  ServerOptions options = test_options();
  options.shutdown_timeout = 3s;
  TestServer s(std::move(r), options);

  RawClient idle(s.port());
  REQUIRE(idle.roundtrip(get_request("/a")));  // now an idle keep-alive connection
  RawClient busy(s.port());
  REQUIRE(busy.send(get_request("/slow")));
  REQUIRE(gate.entered.get_future().wait_for(2s) == std::future_status::ready);

  const auto start = std::chrono::steady_clock::now();
  s.server.begin_shutdown();
  s.server.begin_shutdown();  // idempotent
  CHECK(s.server.draining());
  CHECK(RawClient::refused(s.port()));
  CHECK(idle.closed_within(1s));

  // The handler finishes; its answer tells the client to go away.
  gate.release.set_value();
  const auto res = busy.read_response();
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->body == "\"done\"");
  CHECK(res->header("connection") == "close");
  CHECK(busy.closed_within(1s));

  s.server.wait();
  CHECK(seconds_since(start) < 2.0);
  CHECK(s.observer->opened == 2);
  CHECK(s.observer->closed == 2);
  const auto ends = s.observer->ends();
  REQUIRE(ends.size() == 2);
  CHECK(ends[1].route == "slow");
  CHECK(ends[1].status == 200);
}

TEST_CASE("shutdown closes whatever is still open after shutdown_timeout", "[http][lifecycle]") {
  GatedRoute gate;
  Router r;
  r.add(Method::get, "/stuck", "stuck", gate.handler());
  ServerOptions options = test_options();
  options.shutdown_timeout = 300ms;
  TestServer s(std::move(r), options);

  RawClient client(s.port());
  REQUIRE(client.send(get_request("/stuck")));
  REQUIRE(gate.entered.get_future().wait_for(2s) == std::future_status::ready);

  const auto start = std::chrono::steady_clock::now();
  s.server.begin_shutdown();
  s.server.wait();
  const double waited = seconds_since(start);
  CHECK(waited >= 0.25);
  CHECK(waited < 1.5);
  CHECK(client.closed_within(1s));
  CHECK(client.pending().empty());  // no response was sent

  const auto ends = s.observer->ends();
  REQUIRE(ends.size() == 1);
  CHECK(ends[0].route == "stuck");
  CHECK(ends[0].status == 499);
  CHECK(s.observer->closed == 1);

  gate.release.set_value();  // lets ~Server join the worker pool
}

TEST_CASE("shutdown_now closes in-flight connections at once", "[http][lifecycle]") {
  GatedRoute gate;
  Router r;
  r.add(Method::get, "/stuck", "stuck", gate.handler());
  ServerOptions options = test_options();
  options.shutdown_timeout = 10s;
  TestServer s(std::move(r), options);

  RawClient client(s.port());
  REQUIRE(client.send(get_request("/stuck")));
  REQUIRE(gate.entered.get_future().wait_for(2s) == std::future_status::ready);
  const auto start = std::chrono::steady_clock::now();
  s.server.shutdown_now();
  s.server.wait();
  CHECK(seconds_since(start) < 1.0);
  CHECK(client.closed_within(1s));
  gate.release.set_value();
}

TEST_CASE("with handle_signals, SIGTERM drains and stops the server", "[http][lifecycle]") {
  Router r;
  r.add(Method::get, "/a", "a", fast_json("1"));
  ServerOptions options = test_options();
  options.handle_signals = true;
  TestServer s(std::move(r), options);
  RawClient client(s.port());
  REQUIRE(client.roundtrip(get_request("/a")));

  const auto start = std::chrono::steady_clock::now();
  REQUIRE(std::raise(SIGTERM) == 0);
  s.server.wait();
  CHECK(seconds_since(start) < 1.0);
  CHECK(s.server.draining());
  CHECK(client.closed_within(1s));
  CHECK(RawClient::refused(s.port()));
}
