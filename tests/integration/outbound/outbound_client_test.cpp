// The outbound client against a real local HTTP server with scripted
// answers: retries, timeouts, the circuit breaker, bodies and sinks, metrics.
#include <catch2/catch.hpp>

#include <thread>

#include "promptsales/common/errors.hpp"
#include "promptsales/common/metrics/registry.hpp"
#include "promptsales/common/outbound/client.hpp"
#include "scripted_http_server.hpp"

using namespace promptsales;
using namespace promptsales::outbound;
using namespace std::chrono_literals;
using promptsales::test::ScriptedHttpServer;
using Reply = ScriptedHttpServer::Reply;
using Clock = std::chrono::steady_clock;

namespace {

// Fast backoff so tests do not sleep for nothing; the defaults otherwise.
ClientSettings quick_settings() {
  ClientSettings s;
  s.backoff = {20ms, 200ms};
  return s;
}

Request get(const ScriptedHttpServer& server, const std::string& path = "/thing") {
  Request r;
  r.url = server.url() + path;
  return r;
}

double counter_value(const metrics::Registry& registry, const std::string& name, const std::string& labels) {
  const std::string text = registry.render();
  const std::string prefix = name + "{" + labels + "} ";
  const auto at = text.find(prefix);
  if (at == std::string::npos) return 0;
  return std::stod(text.substr(at + prefix.size()));
}

}  // namespace

TEST_CASE("outbound: a 503 is retried and the third attempt succeeds", "[outbound]") {
  ScriptedHttpServer server;
  server.script({{503, "busy"}, {502, "bad gateway"}, {200, "done"}});
  Client client(quick_settings());
  const auto response = client.send("test", get(server));
  CHECK(response.status == 200);
  CHECK(response.body == "done");
  CHECK(response.attempts == 3);
  CHECK(server.request_count() == 3);
}

TEST_CASE("outbound: 429 is retried, and after the last attempt its response is returned", "[outbound]") {
  ScriptedHttpServer server;
  server.set_fallback({429, "slow down"});
  Client client(quick_settings());
  const auto response = client.send("test", get(server));
  CHECK(response.status == 429);
  CHECK(response.body == "slow down");
  CHECK(response.attempts == 3);
  CHECK(server.request_count() == 3);
}

TEST_CASE("outbound: a 400 or 404 is never retried", "[outbound]") {
  ScriptedHttpServer server;
  const int status = GENERATE(400, 404);
  server.script({{status, "nope"}});
  Client client(quick_settings());
  const auto response = client.send("test", get(server));
  CHECK(response.status == status);
  CHECK(response.attempts == 1);
  CHECK(server.request_count() == 1);
}

TEST_CASE("outbound: a POST is retried only with an idempotency key or a replayable body", "[outbound]") {
  ScriptedHttpServer server;
  server.set_fallback({503, "busy"});
  Client client(quick_settings());
  Request post = get(server);
  post.method = "POST";
  post.body = "{\"amount\":1}";
  SECTION("plain POST: once") {
    CHECK(client.send("test", post).attempts == 1);
    CHECK(server.request_count() == 1);
  }
  SECTION("with Idempotency-Key: three times, same body each time") {
    post.headers.emplace_back("Idempotency-Key", "k-1");
    CHECK(client.send("test", post).attempts == 3);
    const auto seen = server.received();
    REQUIRE(seen.size() == 3);
    for (const auto& r : seen) CHECK(r.body == "{\"amount\":1}");
  }
  SECTION("marked replayable: three times") {
    post.replayable = true;
    CHECK(client.send("test", post).attempts == 3);
  }
}

TEST_CASE("outbound: the default time limit is 1 s per attempt", "[outbound]") {
  ScriptedHttpServer server;
  server.set_fallback({200, "late", 3000ms});
  ClientSettings settings = quick_settings();
  settings.attempts = 1;
  Client client(settings);
  REQUIRE(client.settings().timeout == 1000ms);
  const auto start = Clock::now();
  try {
    client.send("test", get(server));
    FAIL("expected a timeout");
  } catch (const Unavailable& e) {
    CHECK_THAT(e.what(), Catch::Contains("timed out") && Catch::Contains("GET http://127.0.0.1") &&
                             Catch::Contains("after 1 attempt"));
  }
  const auto elapsed = Clock::now() - start;
  CHECK(elapsed >= 950ms);
  CHECK(elapsed < 1800ms);
}

TEST_CASE("outbound: a timeout is retried, and a request may ask for a longer limit", "[outbound]") {
  ScriptedHttpServer server;
  server.script({{200, "late", 1500ms}, {200, "on time"}});
  Client client(quick_settings());
  SECTION("retried after the timeout") {
    const auto response = client.send("test", get(server));
    CHECK(response.body == "on time");
    CHECK(response.attempts == 2);
  }
  SECTION("a longer per-request limit waits for it") {
    Request r = get(server);
    r.timeout = 3000ms;
    const auto response = client.send("test", r);
    CHECK(response.body == "late");
    CHECK(response.attempts == 1);
  }
}

TEST_CASE("outbound: retries wait with growing, jittered backoff", "[outbound]") {
  ScriptedHttpServer server;
  server.set_fallback({503, "busy"});
  ClientSettings settings;
  settings.attempts = 3;
  settings.backoff = {200ms, 5000ms};
  Client client(settings);
  client.send("test", get(server));
  const auto seen = server.received();
  REQUIRE(seen.size() == 3);
  // Full jitter: the waits are at most 200 ms and 400 ms, above zero almost surely.
  const auto gap1 = seen[1].at - seen[0].at;
  const auto gap2 = seen[2].at - seen[1].at;
  CHECK(gap1 < 200ms + 150ms);
  CHECK(gap2 < 400ms + 150ms);
}

TEST_CASE("outbound: the breaker opens after 5 failures and then fails fast", "[outbound][breaker]") {
  ScriptedHttpServer server;
  server.set_fallback({500, "broken"});
  ClientSettings settings = quick_settings();
  settings.attempts = 1;
  settings.breaker = {5, 60000ms};
  metrics::Registry registry;
  Client client(settings, &registry);
  for (int i = 0; i < 5; ++i) CHECK(client.send("flaky", get(server)).status == 500);
  CHECK(client.breaker_state("flaky") == CircuitBreaker::State::open);
  CHECK(client.breaker_state("other") == CircuitBreaker::State::closed);

  const auto start = Clock::now();
  CHECK_THROWS_AS(client.send("flaky", get(server)), Unavailable);
  try {
    client.send("flaky", get(server));
  } catch (const Unavailable& e) {
    CHECK_THAT(e.what(), Catch::Contains("outbound flaky") && Catch::Contains("circuit breaker open after 5"));
  }
  CHECK(Clock::now() - start < 50ms);
  CHECK(server.request_count() == 5);  // the fast failures never reached it

  CHECK(counter_value(registry, "promptsales_outbound_requests_total", "target=\"flaky\",outcome=\"server_error\"") ==
        5);
  CHECK(counter_value(registry, "promptsales_outbound_requests_total", "target=\"flaky\",outcome=\"circuit_open\"") ==
        2);
  CHECK(counter_value(registry, "promptsales_outbound_circuit_open", "target=\"flaky\"") == 1);

  // Another target has its own breaker.
  ScriptedHttpServer healthy;
  CHECK(client.send("other", get(healthy)).status == 200);
}

TEST_CASE("outbound: after the cool-down a trial request closes the breaker", "[outbound][breaker]") {
  ScriptedHttpServer server;
  server.script({Reply(500), Reply(500), Reply(500)});
  ClientSettings settings = quick_settings();
  settings.attempts = 1;
  settings.breaker = {3, 300ms};
  metrics::Registry registry;
  Client client(settings, &registry);
  for (int i = 0; i < 3; ++i) client.send("svc", get(server));
  REQUIRE(client.breaker_state("svc") == CircuitBreaker::State::open);
  CHECK_THROWS_AS(client.send("svc", get(server)), Unavailable);

  std::this_thread::sleep_for(350ms);
  CHECK(client.breaker_state("svc") == CircuitBreaker::State::half_open);
  SECTION("a successful trial closes it") {
    CHECK(client.send("svc", get(server)).status == 200);
    CHECK(client.breaker_state("svc") == CircuitBreaker::State::closed);
    CHECK(counter_value(registry, "promptsales_outbound_circuit_open", "target=\"svc\"") == 0);
    CHECK(client.send("svc", get(server)).status == 200);
    CHECK(server.request_count() == 5);
  }
  SECTION("a failed trial opens it again") {
    server.script({Reply(503)});
    CHECK(client.send("svc", get(server)).status == 503);
    CHECK(client.breaker_state("svc") == CircuitBreaker::State::open);
    CHECK_THROWS_AS(client.send("svc", get(server)), Unavailable);
    CHECK(server.request_count() == 4);
  }
}

TEST_CASE("outbound: retries of one call count towards the breaker", "[outbound][breaker]") {
  ScriptedHttpServer server;
  server.set_fallback(Reply(503));
  ClientSettings settings = quick_settings();
  settings.attempts = 3;
  settings.breaker = {5, 60000ms};
  Client client(settings);
  CHECK(client.send("svc", get(server)).attempts == 3);
  // The second call's third attempt is refused: the breaker opened after 5.
  CHECK_THROWS_WITH(client.send("svc", get(server)), Catch::Contains("circuit breaker open"));
  CHECK(server.request_count() == 5);
}

TEST_CASE("outbound: a refused connection is retried, then reported clearly", "[outbound]") {
  int port = 0;
  {
    ScriptedHttpServer gone;
    port = gone.port();
  }
  metrics::Registry registry;
  Client client(quick_settings(), &registry);
  Request r;
  r.url = "http://127.0.0.1:" + std::to_string(port) + "/x?token=secret";
  try {
    client.send("dead", r);
    FAIL("expected Unavailable");
  } catch (const Unavailable& e) {
    const std::string what = e.what();
    CHECK_THAT(what, Catch::Contains("connection failed") && Catch::Contains("after 3 attempts"));
    CHECK_THAT(what, !Catch::Contains("secret"));  // the query is not shown
  }
  CHECK(counter_value(registry, "promptsales_outbound_requests_total", "target=\"dead\",outcome=\"connection_error\"") ==
        3);
}

TEST_CASE("outbound: a streamed body is sent whole, and again after a retry when it can rewind", "[outbound]") {
  ScriptedHttpServer server;
  server.script({Reply(503), Reply::echoing()});
  Client client(quick_settings());
  const std::string payload(300000, 'x');
  std::size_t offset = 0;
  Request r = get(server, "/upload");
  r.method = "PUT";
  r.body_source = BodySource{[&](char* buffer, std::size_t capacity) {
                               const std::size_t n = std::min(capacity, payload.size() - offset);
                               std::copy_n(payload.data() + offset, n, buffer);
                               offset += n;
                               return n;
                             },
                             payload.size(), [&] { offset = 0; }};
  std::string received;
  r.sink = [&](std::string_view chunk) { received.append(chunk); };
  const auto response = client.send("test", r);
  CHECK(response.status == 200);
  CHECK(response.attempts == 2);
  CHECK(response.body.empty());  // the sink took it
  CHECK(received == payload);
  const auto seen = server.received();
  REQUIRE(seen.size() == 2);
  CHECK(seen[0].body == payload);
  CHECK(seen[1].body == payload);
}

TEST_CASE("outbound: a body source that cannot rewind is not retried", "[outbound]") {
  ScriptedHttpServer server;
  server.set_fallback(Reply(503));
  Client client(quick_settings());
  bool done = false;
  Request r = get(server, "/upload");
  r.method = "PUT";
  r.body_source = BodySource{[&](char* buffer, std::size_t) -> std::size_t {
                               if (done) return 0;
                               done = true;
                               buffer[0] = 'a';
                               return 1;
                             },
                             1, nullptr};
  CHECK(client.send("test", r).attempts == 1);
}

TEST_CASE("outbound: errors of the body source and the sink reach the caller unretried", "[outbound]") {
  ScriptedHttpServer server;
  server.set_fallback({200, std::string(100000, 'y')});
  Client client(quick_settings());
  Request r = get(server);
  r.sink = [](std::string_view) { throw std::runtime_error("disk full"); };
  CHECK_THROWS_WITH(client.send("test", r), "disk full");
  CHECK(server.request_count() == 1);
  CHECK(client.breaker_state("test") == CircuitBreaker::State::closed);

  Request put = get(server);
  put.method = "PUT";
  // A known size: the server waits for the body, so the source is read.
  put.body_source = BodySource{[](char*, std::size_t) -> std::size_t { throw std::runtime_error("read failed"); },
                               10, [] {}};
  CHECK_THROWS_WITH(client.send("test", put), "read failed");
}

TEST_CASE("outbound: an error status body is kept, not streamed to the sink", "[outbound]") {
  ScriptedHttpServer server;
  server.script({{404, "<Error><Code>NoSuchKey</Code></Error>"}});
  Client client(quick_settings());
  Request r = get(server);
  std::string sunk;
  r.sink = [&](std::string_view chunk) { sunk.append(chunk); };
  const auto response = client.send("test", r);
  CHECK(response.status == 404);
  CHECK(response.body == "<Error><Code>NoSuchKey</Code></Error>");
  CHECK(sunk.empty());
}

TEST_CASE("outbound: headers go out and come back, and bad URLs are refused", "[outbound]") {
  ScriptedHttpServer server;
  Reply reply{200, "{}"};
  reply.headers["X-Answer"] = "42";
  server.script({reply});
  Client client(quick_settings());
  Request r = get(server);
  r.headers.emplace_back("X-Custom", "hello");
  const auto response = client.send("test", r);
  REQUIRE(response.header("x-answer"));
  CHECK(*response.header("x-answer") == "42");
  CHECK(server.received().at(0).headers.at("x-custom") == "hello");

  Request bad;
  bad.url = "file:///etc/passwd";
  CHECK_THROWS_AS(client.send("test", bad), ValidationError);
}
