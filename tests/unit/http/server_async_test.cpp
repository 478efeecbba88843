// The `async` handler kind: runs on the I/O thread, answers later through a
// Responder without a thread hop, falls through to `blocking` when it
// declines, maps errors like the other kinds, and is waited for by a drain.
#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "promptsales/common/errors.hpp"
#include "raw_client.hpp"
#include "test_server.hpp"

using namespace promptsales::http;
using namespace promptsales::http::test;
using namespace std::chrono_literals;

namespace {

/// Holds the Responders of taken requests until the test answers them.
struct Parked {
  std::mutex mutex;
  std::vector<Responder> responders;
  std::promise<void> first_parked;
  bool signalled = false;

  Handler handler() {
    Handler h;
    h.async = [this](const Request&, const Responder& responder) {
      std::lock_guard lock(mutex);
      responders.push_back(responder);
      if (!signalled) {
        signalled = true;
        first_parked.set_value();
      }
      return true;
    };
    return h;
  }
  void respond_all(const std::string& body) {
    std::lock_guard lock(mutex);
    for (auto& r : responders) r.respond(Response::json(200, body));
    responders.clear();
  }
};

}  // namespace

TEST_CASE("an async handler runs on the I/O thread and completes later from its event loop", "[http][async]") {
  std::mutex mutex;
  std::optional<std::thread::id> handler_thread;
  std::optional<std::thread::id> completion_thread;

  Router r;
  Handler h;
  h.async = [&](const Request& req, const Responder& responder) {
    {
      std::lock_guard lock(mutex);
      handler_thread = std::this_thread::get_id();
    }
    // Complete from a timer on the same event loop, as database I/O does.
    auto timer = std::make_shared<boost::asio::steady_timer>(responder.io_context(), 20ms);
    timer->async_wait([&, timer, responder, query = req.target](const boost::system::error_code&) {
      {
        std::lock_guard lock(mutex);
        completion_thread = std::this_thread::get_id();
      }
      responder.respond(Response::json(200, "\"" + query + "\""));
    });
    return true;
  };
  r.add(Method::get, "/later", "later", h);
  TestServer s(std::move(r));
  RawClient client(s.port());
  for (int i = 0; i < 3; ++i) {  // keep-alive: the connection serves the next request after an async one
    const auto res = client.roundtrip(get_request("/later?i=" + std::to_string(i)));
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(res->body == "\"/later?i=" + std::to_string(i) + "\"");
  }
  std::lock_guard lock(mutex);
  REQUIRE(handler_thread);
  CHECK(completion_thread == handler_thread);
  CHECK(*handler_thread != std::this_thread::get_id());
  const auto ends = s.observer->ends_when(3);
  REQUIRE(ends.size() == 3);
  CHECK(ends[0].route == "later");
  CHECK(ends[0].status == 200);
}

TEST_CASE("a pending async request does not stall its I/O thread", "[http][async]") {
  Parked parked;
  Router r;
  r.add(Method::get, "/parked", "parked", parked.handler());
  r.add(Method::get, "/fast", "fast", fast_json("\"fast\""));
  ServerOptions options = test_options();
  options.io_threads = 1;
  options.worker_threads = 1;
  TestServer s(std::move(r), options);

  RawClient parked_client(s.port());
  REQUIRE(parked_client.send(get_request("/parked")));
  REQUIRE(parked.first_parked.get_future().wait_for(2s) == std::future_status::ready);
  RawClient fast_client(s.port());
  const auto fast = fast_client.roundtrip(get_request("/fast"));
  REQUIRE(fast);
  CHECK(fast->body == "\"fast\"");

  // Answered from a thread that is not the server's.
  std::thread([&] { parked.respond_all("\"parked\""); }).join();
  const auto res = parked_client.read_response();
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->body == "\"parked\"");
}

TEST_CASE("an async handler that declines falls through to blocking", "[http][async]") {
  std::atomic<int> async_calls{0};
  Router r;
  Handler h;
  h.async = [&](const Request& req, const Responder& responder) {
    ++async_calls;
    if (req.target == "/maybe?take=1") {
      responder.respond(Response::json(200, "\"async\""));  // answered at once, still on the I/O thread
      return true;
    }
    return false;
  };
  h.blocking = [](const Request&) { return Response::json(200, "\"blocking\""); };
  r.add(Method::get, "/maybe", "maybe", h);
  TestServer s(std::move(r));
  RawClient client(s.port());
  auto res = client.roundtrip(get_request("/maybe?take=1"));
  REQUIRE(res);
  CHECK(res->body == "\"async\"");
  res = client.roundtrip(get_request("/maybe?take=0"));
  REQUIRE(res);
  CHECK(res->body == "\"blocking\"");
  CHECK(async_calls == 2);
}

TEST_CASE("async errors map like blocking ones, and only the first completion counts", "[http][async]") {
  Router r;
  Handler fails;
  fails.async = [](const Request&, const Responder& responder) {
    responder.fail(std::make_exception_ptr(promptsales::Unavailable("database unavailable", "secret detail")));
    responder.respond(Response::json(200, "\"too late\""));  // ignored
    return true;
  };
  r.add(Method::get, "/fails", "fails", fails);
  Handler throws;
  throws.async = [](const Request&, const Responder&) -> bool { throw std::runtime_error("internal detail"); };
  r.add(Method::get, "/throws", "throws", throws);
  Handler drops;
  drops.async = [](const Request&, const Responder&) { return true; };  // never answers: a bug
  r.add(Method::get, "/drops", "drops", drops);
  TestServer s(std::move(r));
  RawClient client(s.port());

  auto res = client.roundtrip(get_request("/fails"));
  REQUIRE(res);
  CHECK(res->status == 503);
  CHECK(res->body == R"({"error":{"code":"unavailable","message":"database unavailable"}})");
  res = client.roundtrip(get_request("/throws"));
  REQUIRE(res);
  CHECK(res->status == 500);
  CHECK(res->body.find("internal detail") == std::string::npos);
  // The dropped Responder answers 500 instead of leaving the client waiting.
  res = client.roundtrip(get_request("/drops"));
  REQUIRE(res);
  CHECK(res->status == 500);
  // The connection is still usable after each.
  res = client.roundtrip(get_request("/fails"));
  REQUIRE(res);
  CHECK(res->status == 503);
}

TEST_CASE("a drain waits for in-flight async requests", "[http][async][lifecycle]") {
  Parked parked;
  Router r;
  r.add(Method::get, "/parked", "parked", parked.handler());
  TestServer s(std::move(r));
  RawClient client(s.port());
  REQUIRE(client.send(get_request("/parked")));
  REQUIRE(parked.first_parked.get_future().wait_for(2s) == std::future_status::ready);

  s.server.begin_shutdown();
  auto stopped = std::async(std::launch::async, [&] { s.server.wait(); });
  CHECK(stopped.wait_for(300ms) == std::future_status::timeout);  // still serving the parked request

  parked.respond_all("\"done\"");
  const auto res = client.read_response();
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->body == "\"done\"");
  CHECK(res->header("connection") == "close");
  CHECK(stopped.wait_for(3s) == std::future_status::ready);
}
