// Slow clients (slowloris): connections that trickle a request head byte by
// byte must not stop other clients from being served, and each is answered
// 408 and closed when its read timeout ends, however steadily it trickles.

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "security_server.hpp"

using namespace promptsales::security_test;
using namespace std::chrono_literals;
using promptsales::test::SeededInstallation;
using promptsales::test::ServeProcess;

TEST_CASE("slow clients do not stop others from being served and are cut off at the read timeout") {
  SeededInstallation inst(1, 5);
  // A longer read timeout than the other tests, so that "served promptly"
  // below cannot be mistaken for "served once the slow clients timed out".
  constexpr int kSlowReadTimeoutMs = 4000;
  ServeProcess server(hardened_env(inst, kSlowReadTimeoutMs));
  const int port = server.port();
  constexpr int kSlowClients = 40;

  // Each slow client sends the start of a request, then one more header
  // byte every 100 ms: always active, never finished.
  std::vector<std::unique_ptr<RawConnection>> slow;
  for (int i = 0; i < kSlowClients; ++i) {
    slow.push_back(std::make_unique<RawConnection>(port));
    REQUIRE(slow.back()->send("GET /api/v1/campaigns HTTP/1.1\r\nHost: x\r\nX-Slow: "));
  }
  std::atomic<bool> stop{false};
  std::thread trickler([&] {
    while (!stop) {
      for (auto& c : slow) c->send("a");
      std::this_thread::sleep_for(100ms);
    }
  });

  // Meanwhile other clients are served promptly.
  for (int i = 0; i < 20; ++i) {
    const auto started = Clock::now();
    const auto target = i % 2 == 0 ? std::string("/healthz") : "/api/v1/campaigns?organizationId=1&limit=" +
                                                                    std::to_string(1 + i);
    const auto r = roundtrip(port, raw_request("GET", target), 2s);
    CHECK(r.status == 200);
    CHECK(Clock::now() - started < 1500ms);
    std::this_thread::sleep_for(20ms);
  }

  // Trickling does not extend the deadline: every slow client gets 408.
  int answered_408 = 0;
  for (auto& c : slow) {
    const auto r = c->read_response(std::chrono::milliseconds(kSlowReadTimeoutMs) + 3s);
    if (r && r->status == 408) {
      expect_client_error(*r, 408);
      ++answered_408;
    }
  }
  stop = true;
  trickler.join();
  CHECK(answered_408 == kSlowClients);
  expect_healthy(server);
}
