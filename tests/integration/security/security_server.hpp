#pragma once
// The server the security tests attack: a seeded installation served with
// short limits and timeouts (so timeouts answer within a second), and the
// health check every test ends with.

#include <string>

#include <catch2/catch.hpp>

#include "api_fixture.hpp"
#include "raw_http.hpp"
#include "serve_process.hpp"

namespace promptsales::security_test {

inline constexpr int kReadTimeoutMs = 1000;
inline constexpr int kMaxHeaderBytes = 4096;
inline constexpr int kMaxBodyBytes = 65536;

inline test::EnvMap hardened_env(const test::SeededInstallation& installation, int read_timeout_ms = kReadTimeoutMs) {
  return installation.env({}, {{"PROMPTSALES_HTTP_READ_TIMEOUT_MS", std::to_string(read_timeout_ms)},
                               {"PROMPTSALES_HTTP_IDLE_TIMEOUT_MS", "3000"},
                               {"PROMPTSALES_HTTP_MAX_HEADER_BYTES", std::to_string(kMaxHeaderBytes)},
                               {"PROMPTSALES_HTTP_MAX_BODY_BYTES", std::to_string(kMaxBodyBytes)},
                               {"PROMPTSALES_IO_THREADS", "2"},
                               {"PROMPTSALES_WORKER_THREADS", "4"}});
}

/// The process still runs, answers /healthz and a campaign page, and never
/// answered anything with a 5xx.
inline void expect_healthy(test::ServeProcess& server) {
  INFO(server.log().substr(0, 4000));
  REQUIRE(server.running());
  CHECK(roundtrip(server.port(), raw_request("GET", "/healthz")).status == 200);
  CHECK(roundtrip(server.port(), raw_request("GET", "/api/v1/campaigns?limit=5")).status == 200);
  const std::string metrics = server.metrics();
  CHECK(metrics.find("status=\"5") == std::string::npos);
}

}  // namespace promptsales::security_test
