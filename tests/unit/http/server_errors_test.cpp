// Handler exceptions become JSON errors; blocking handlers run on workers.
#include <catch2/catch.hpp>

#include <set>
#include <stdexcept>
#include <thread>

#include "promptsales/common/errors.hpp"
#include "raw_client.hpp"
#include "test_server.hpp"

using namespace promptsales::http;
using namespace promptsales::http::test;

namespace {

Handler fast_throwing(std::function<void()> thrower) {
  Handler h;
  h.fast = [thrower](const Request&) -> std::optional<Response> {
    thrower();
    return std::nullopt;
  };
  return h;
}

Handler blocking_throwing(std::function<void()> thrower) {
  Handler h;
  h.blocking = [thrower](const Request&) -> Response {
    thrower();
    return Response::no_content();
  };
  return h;
}

}  // namespace

TEST_CASE("promptsales errors keep their status, code and message", "[http][errors]") {
  Router r;
  r.add(Method::get, "/validation", "validation",
        fast_throwing([] { throw promptsales::ValidationError("name", "must not be empty"); }));
  r.add(Method::get, "/notfound", "notfound",
        blocking_throwing([] { throw promptsales::NotFound("campaign c1 not found", "row lookup detail"); }));
  r.add(Method::get, "/unavailable", "unavailable",
        blocking_throwing([] { throw promptsales::Unavailable("database unavailable"); }));
  r.add(Method::get, "/conflict", "conflict", fast_throwing([] { throw promptsales::Conflict("version \"3\" is stale"); }));
  TestServer s(std::move(r));
  RawClient client(s.port());

  auto res = client.roundtrip(get_request("/validation"));
  REQUIRE(res);
  CHECK(res->status == 400);
  CHECK(res->header("content-type") == "application/json");
  CHECK(res->body == R"({"error":{"code":"invalid_argument","message":"name: must not be empty"}})");

  res = client.roundtrip(get_request("/notfound"));
  REQUIRE(res);
  CHECK(res->status == 404);
  CHECK(res->body == R"({"error":{"code":"not_found","message":"campaign c1 not found"}})");
  CHECK(res->body.find("row lookup detail") == std::string::npos);  // detail() is for the log only

  res = client.roundtrip(get_request("/unavailable"));
  REQUIRE(res);
  CHECK(res->status == 503);
  CHECK(res->body.find(R"("code":"unavailable")") != std::string::npos);

  res = client.roundtrip(get_request("/conflict"));
  REQUIRE(res);
  CHECK(res->status == 409);
  CHECK(res->body == R"({"error":{"code":"conflict","message":"version \"3\" is stale"}})");

  const auto ends = s.observer->ends_when(4);
  REQUIRE(ends.size() == 4);
  CHECK(ends[1].route == "notfound");
  CHECK(ends[1].status == 404);
}

TEST_CASE("other exceptions are a generic 500 that leaks nothing", "[http][errors]") {
  Router r;
  r.add(Method::get, "/fast", "fast",
        fast_throwing([] { throw std::runtime_error("connection to postgres://admin:hunter2@db failed"); }));
  r.add(Method::get, "/blocking", "blocking",
        blocking_throwing([] { throw std::logic_error("hunter2 invariant broken"); }));
  r.add(Method::get, "/odd", "odd", blocking_throwing([] { throw 42; }));
  TestServer s(std::move(r));
  RawClient client(s.port());
  for (const char* path : {"/fast", "/blocking", "/odd"}) {
    const auto res = client.roundtrip(get_request(path));
    REQUIRE(res);
    CHECK(res->status == 500);
    CHECK(res->body == R"({"error":{"code":"internal","message":"internal server error"}})");
    CHECK(res->body.find("hunter2") == std::string::npos);
  }
  // The connection survives handler failures.
  CHECK(s.observer->opened == 1);
}

TEST_CASE("blocking handlers never run on I/O threads", "[http][workers]") {
  std::mutex mutex;
  std::set<std::thread::id> io_threads;
  std::set<std::thread::id> worker_threads;

  Router r;
  Handler where_io;
  where_io.fast = [&](const Request&) -> std::optional<Response> {
    std::lock_guard lock(mutex);
    io_threads.insert(std::this_thread::get_id());
    return Response::json(200, "\"io\"");
  };
  r.add(Method::get, "/io", "io", where_io);

  // A fast handler that declines: the same route then runs on a worker.
  Handler declines;
  declines.fast = [&](const Request&) -> std::optional<Response> {
    std::lock_guard lock(mutex);
    io_threads.insert(std::this_thread::get_id());
    return std::nullopt;
  };
  declines.blocking = [&](const Request&) -> Response {
    std::lock_guard lock(mutex);
    worker_threads.insert(std::this_thread::get_id());
    return Response::json(200, "\"worker\"");
  };
  r.add(Method::get, "/maybe", "maybe", declines);

  Handler only_blocking;
  only_blocking.blocking = declines.blocking;
  r.add(Method::get, "/db", "db", only_blocking);

  TestServer s(std::move(r));
  // Several connections, so both I/O threads serve some.
  for (int c = 0; c < 4; ++c) {
    RawClient client(s.port());
    for (const char* path : {"/io", "/maybe", "/db"}) {
      const auto res = client.roundtrip(get_request(path));
      REQUIRE(res);
      CHECK(res->status == 200);
    }
  }
  std::lock_guard lock(mutex);
  CHECK(io_threads.size() == 2);
  CHECK_FALSE(worker_threads.empty());
  for (const auto& id : worker_threads) {
    CHECK(io_threads.count(id) == 0);
    CHECK(id != std::this_thread::get_id());
  }
}

TEST_CASE("slow blocking handlers do not stall fast routes", "[http][workers]") {
  std::atomic<bool> release{false};
  Router r;
  Handler slow;
  slow.blocking = [&](const Request&) -> Response {
    while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return Response::json(200, "\"slow\"");
  };
  r.add(Method::get, "/slow", "slow", slow);
  r.add(Method::get, "/fast", "fast", fast_json("\"fast\""));
  ServerOptions options = test_options();
  options.io_threads = 1;
  TestServer s(std::move(r), options);

  RawClient slow_client(s.port());
  REQUIRE(slow_client.send(get_request("/slow")));
  RawClient fast_client(s.port());
  const auto fast = fast_client.roundtrip(get_request("/fast"));
  REQUIRE(fast);
  CHECK(fast->body == "\"fast\"");
  release = true;
  const auto res = slow_client.read_response();
  REQUIRE(res);
  CHECK(res->body == "\"slow\"");
}
