// Malformed and hostile requests over raw sockets: every answer is a 4xx
// with a JSON error body (never a 5xx, a crash or a hang), and the server
// keeps serving afterwards.

#include <chrono>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "security_server.hpp"

using namespace promptsales::security_test;
using namespace std::chrono_literals;
using promptsales::test::SeededInstallation;
using promptsales::test::ServeProcess;

namespace {

/// Time for a read timeout to fire and its answer to arrive.
constexpr auto kTimeoutAnswer = std::chrono::milliseconds(kReadTimeoutMs) + 3s;

void expect_error_for(int port, const std::string& request, std::optional<int> status = std::nullopt) {
  INFO("request: " << request.substr(0, 300));
  expect_client_error(roundtrip(port, request, kTimeoutAnswer), status);
}

}  // namespace

TEST_CASE("oversized and malformed headers are refused with 431 or 400") {
  SeededInstallation inst(1, 3);
  ServeProcess server(hardened_env(inst));
  const int port = server.port();

  expect_error_for(port, raw_request("GET", "/api/v1/campaigns", {"X-Big: " + std::string(kMaxHeaderBytes, 'a')}), 431);
  std::vector<std::string> many;
  for (int i = 0; i < 400; ++i) many.push_back("X-H" + std::to_string(i) + ": v");
  expect_error_for(port, raw_request("GET", "/api/v1/campaigns", many), 431);
  expect_error_for(port, raw_request("GET", "/" + std::string(kMaxHeaderBytes, 'p')), 431);

  expect_error_for(port, raw_request("GET", "/api/v1/campaigns", {"NoColonHere"}), 400);
  expect_error_for(port, raw_request("GET", "/api/v1/campaigns", {"Bad Name: x"}), 400);
  expect_error_for(port, raw_request("GET", "/api/v1/campaigns", {std::string("X-Nul: a\0b", 10)}), 400);
  expect_error_for(port, raw_request("GET", "/api/v1/campaigns", {"Content-Length: 1", "Content-Length: 2"}), 400);
  expect_error_for(port, raw_request("GET", "/api/v1/campaigns", {"Content-Length: -1"}), 400);
  expect_error_for(port, raw_request("GET", "/api/v1/campaigns", {"Content-Length: 99999999999999999999999"}));
  expect_error_for(port, "GET /api/v1/campaigns HTTP/9.9\r\nHost: x\r\n\r\n", 400);
  expect_error_for(port, "GET /api/v1/campaigns\r\n\r\n", 400);
  expect_error_for(port, "\x16\x03\x01\x02\x01\xfc\x03\x03 garbage\r\n\r\n", 400);  // a TLS hello
  expect_error_for(port, "GET  /api/v1/campaigns  HTTP/1.1\r\nHost: x\r\n\r\n", 400);
  expect_error_for(port, "GET /api/v1/campaigns HTTP/1.1\nHost: x\n\n", 400);
  expect_healthy(server);
}

TEST_CASE("a body whose Content-Length lies is answered and the connection ends") {
  SeededInstallation inst(1, 3);
  ServeProcess server(hardened_env(inst));
  const int port = server.port();
  const std::string json = R"({"organizationId":1,"name":"Lying length"})";

  SECTION("longer than sent: the read timeout answers 408 and closes") {
    RawConnection c(port);
    const auto started = Clock::now();
    c.send(raw_request("POST", "/api/v1/campaigns",
                       {"Content-Type: application/json", "Content-Length: " + std::to_string(json.size() + 100)},
                       json));
    const auto r = c.read_response(kTimeoutAnswer);
    REQUIRE(r.has_value());
    expect_client_error(*r, 408);
    CHECK(Clock::now() - started >= std::chrono::milliseconds(kReadTimeoutMs - 100));
    CHECK(c.closed_within(3s));
  }
  SECTION("shorter than sent: the rest is a bad next request, answered 400, then closed") {
    RawConnection c(port);
    c.send(raw_request("POST", "/api/v1/campaigns", {"Content-Type: application/json", "Content-Length: 2"}, json));
    const auto first = c.read_response(kTimeoutAnswer);
    REQUIRE(first.has_value());
    expect_client_error(*first, 400);  // `{"` is not JSON
    const auto second = c.read_response(kTimeoutAnswer);
    REQUIRE(second.has_value());
    expect_client_error(*second, 400);
    CHECK(second->header("connection") == "close");
    CHECK(c.closed_within(3s));
  }
  expect_healthy(server);
}

TEST_CASE("chunked encoding abuse is refused") {
  SeededInstallation inst(1, 3);
  ServeProcess server(hardened_env(inst));
  const int port = server.port();
  const HeaderLines chunked = {"Content-Type: application/json", "Transfer-Encoding: chunked"};

  expect_error_for(port, raw_request("POST", "/api/v1/campaigns", chunked, "zz\r\n{}\r\n0\r\n\r\n"), 400);
  expect_error_for(port, raw_request("POST", "/api/v1/campaigns", chunked, "ffffffffffffffffffff\r\nx\r\n"));
  expect_error_for(port, raw_request("POST", "/api/v1/campaigns", chunked, "-5\r\nabc\r\n0\r\n\r\n"), 400);
  expect_error_for(port, raw_request("POST", "/api/v1/campaigns", chunked, "2\r\n{}XX\r\n0\r\n\r\n"), 400);
  // More than the body limit in chunks: 413, however it is cut.
  std::string big;
  for (int i = 0; i < 20; ++i) big += "1000\r\n" + std::string(0x1000, ' ') + "\r\n";
  expect_error_for(port, raw_request("POST", "/api/v1/campaigns", chunked, big + "0\r\n\r\n"), 413);
  expect_error_for(port, raw_request("POST", "/api/v1/campaigns", chunked, "100000\r\n"));
  // Never finished: the read timeout answers.
  expect_error_for(port, raw_request("POST", "/api/v1/campaigns", chunked, "2\r\n{}\r\n"), 408);
  expect_error_for(port, raw_request("POST", "/api/v1/campaigns", {"Transfer-Encoding: gzip"}, "x"));
  expect_error_for(port,
                   raw_request("POST", "/api/v1/campaigns", {"Transfer-Encoding: chunked", "Transfer-Encoding: chunked"},
                               "0\r\n\r\n"));
  expect_error_for(port, raw_request("POST", "/api/v1/campaigns", {"Transfer-Encoding: chunked", "Content-Length: 5"},
                                     "0\r\n\r\n"));
  expect_healthy(server);
}

TEST_CASE("invalid UTF-8 in the body, the query and the path is refused") {
  SeededInstallation inst(1, 3);
  ServeProcess server(hardened_env(inst));
  const int port = server.port();

  for (const std::string bad : {"\xff", "\xc3", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "a\xe2\x82"}) {
    INFO("bytes: " << bad.size());
    expect_error_for(port, raw_request_with_body("POST", "/api/v1/campaigns",
                                                 R"({"organizationId":1,"name":")" + bad + R"("})"), 400);
    expect_error_for(port, raw_request_with_body("PUT", "/api/v1/campaigns/1", R"({"description":")" + bad + R"("})"),
                     400);
    std::string encoded;
    for (const char c : bad) {
      static constexpr char kHex[] = "0123456789ABCDEF";
      const auto u = static_cast<unsigned char>(c);
      encoded += {'%', kHex[u >> 4], kHex[u & 0xF]};
    }
    expect_error_for(port, raw_request("GET", "/api/v1/campaigns?search=" + encoded), 400);
    expect_error_for(port, raw_request("GET", "/api/v1/campaigns?organizationId=" + encoded), 400);
    expect_error_for(port, raw_request("GET", "/api/v1/campaigns/" + encoded));
    expect_error_for(port, raw_request("GET", "/api/v1/campaigns?search=" + bad));  // raw bytes on the wire
  }
  expect_healthy(server);
}

TEST_CASE("absurd limits, offsets and ids are refused with 400") {
  SeededInstallation inst(1, 3);
  ServeProcess server(hardened_env(inst));
  const int port = server.port();

  for (const std::string name : {"limit", "offset", "organizationId"}) {
    for (const std::string value : {"-1", "abc", "", "1.5", "1e3", "0x10", "+1", "%201", "1%20",
                                    "99999999999999999999999", "9223372036854775808", "-9223372036854775809"}) {
      INFO(name << " = '" << value << "'");
      expect_error_for(port, raw_request("GET", "/api/v1/campaigns?" + name + "=" + value), 400);
    }
  }
  expect_error_for(port, raw_request("GET", "/api/v1/campaigns?limit=0"), 400);
  expect_error_for(port, raw_request("GET", "/api/v1/campaigns?limit=101"), 400);
  expect_error_for(port, raw_request("GET", "/api/v1/campaigns?limit=1000000000000"), 400);
  expect_error_for(port, raw_request("GET", "/api/v1/campaigns?offset=1000000000000"), 400);
  expect_error_for(port, raw_request("GET", "/api/v1/campaigns?offset=1000001"), 400);
  expect_error_for(port, raw_request("GET", "/api/v1/campaigns?organizationId=0"), 400);
  expect_error_for(port, raw_request("GET", "/api/v1/campaigns?enabled=yes"), 400);
  expect_error_for(port, raw_request("GET", "/api/v1/campaigns?includeDeleted=2"), 400);
  expect_error_for(port, raw_request("GET", "/api/v1/campaigns?limit=1&limit=2"), 400);

  for (const std::string id : {"-1", "0", "abc", "1.5", "1e3", "99999999999999999999", "9223372036854775808",
                               "%2D1", "%20", "1%20", "..", "%2e%2e"}) {
    INFO("id = '" << id << "'");
    expect_error_for(port, raw_request("GET", "/api/v1/campaigns/" + id), 400);
    expect_error_for(port, raw_request("DELETE", "/api/v1/campaigns/" + id), 400);
    expect_error_for(port, raw_request_with_body("POST", "/api/v1/campaigns/" + id + "/pause", "{}"), 400);
  }
  expect_error_for(port, raw_request("GET", "/api/v1/campaigns/9223372036854775807"), 404);
  expect_healthy(server);
}

TEST_CASE("path traversal and unusual methods find nothing") {
  SeededInstallation inst(1, 3);
  ServeProcess server(hardened_env(inst));
  const int port = server.port();

  for (const std::string target :
       {"/api/v1/../../etc/passwd", "/../../../../etc/passwd", "/api/v1/%2e%2e/%2e%2e/etc/passwd",
        "/api/v1/campaigns%2F..%2F..%2F..%2Fetc%2Fpasswd", "/api/v1/campaigns/1%2F..%2F..%2Fhealthz",
        "/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/api/v1/%252e%252e/etc/passwd", "/api/v1/..%5C..%5Cwindows%5Cwin.ini",
        "/healthz/../etc/passwd", "//etc/passwd", "/api/v1/campaigns/1/../../../etc/passwd"}) {
    INFO(target);
    expect_error_for(port, raw_request("GET", target), 404);
  }
  expect_error_for(port, raw_request("GET", "/api/v1/campaigns%00/1"), 400);
  expect_error_for(port, raw_request("GET", "/api/v1/campaigns?x=%"), 400);
  expect_error_for(port, raw_request("GET", "etc/passwd"), 400);
  expect_error_for(port, raw_request("GET", "file:///etc/passwd"));

  for (const std::string method : {"TRACE", "TRACK", "PROPFIND", "PATCH", "OPTIONS"}) {
    INFO(method);
    const auto r = roundtrip(port, raw_request(method, "/api/v1/campaigns"));
    expect_client_error(r, 405);
    CHECK_FALSE(r.header("allow").empty());
  }
  expect_error_for(port, raw_request("TRACE", "/nowhere"), 404);
  expect_error_for(port, raw_request("CONNECT", "127.0.0.1:5432"), 400);
  expect_error_for(port, raw_request("CONNECT", "/api/v1/campaigns"), 405);
  expect_error_for(port, raw_request("get", "/api/v1/campaigns"), 405);
  expect_healthy(server);
}
