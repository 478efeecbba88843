#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>

#include "promptsales/common/cache/redis_url.hpp"

using promptsales::cache::parse_redis_url;

namespace {

std::string error_of(const std::string& url) {
  try {
    parse_redis_url(url);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("redis URL: host only gets the defaults", "[cache][url]") {
  const auto url = parse_redis_url("redis://cache.internal");
  CHECK(url.host == "cache.internal");
  CHECK(url.port == 6379);
  CHECK(url.db == 0);
  CHECK(url.user.empty());
  CHECK(url.password.empty());
  CHECK(url.redacted() == "redis://cache.internal:6379/0");
}

TEST_CASE("redis URL: port, database, password and user", "[cache][url]") {
  const auto a = parse_redis_url("redis://127.0.0.1:56379/3");
  CHECK(a.host == "127.0.0.1");
  CHECK(a.port == 56379);
  CHECK(a.db == 3);

  const auto b = parse_redis_url("redis://:s3cret@redis:6380/1");
  CHECK(b.user.empty());
  CHECK(b.password == "s3cret");
  CHECK(b.redacted() == "redis://:***@redis:6380/1");

  const auto c = parse_redis_url("redis://app:p%40ss%2Fw0rd@redis/");
  CHECK(c.user == "app");
  CHECK(c.password == "p@ss/w0rd");
  CHECK(c.db == 0);
  CHECK(c.redacted() == "redis://app:***@redis:6379/0");
}

TEST_CASE("redis URL: an unencoded '@' or '/' in the password still parses", "[cache][url]") {
  const auto url = parse_redis_url("redis://:pa@s/s@redis:7000/2");
  CHECK(url.password == "pa@s/s");
  CHECK(url.host == "redis");
  CHECK(url.port == 7000);
  CHECK(url.db == 2);
}

TEST_CASE("redis URL: IPv6 host in brackets", "[cache][url]") {
  const auto url = parse_redis_url("redis://[::1]:6390/4");
  CHECK(url.host == "::1");
  CHECK(url.port == 6390);
  CHECK(url.db == 4);
  CHECK(url.redacted() == "redis://[::1]:6390/4");
}

TEST_CASE("redis URL: bad URLs name the problem", "[cache][url]") {
  CHECK_THAT(error_of("http://redis:6379"), Catch::Contains("must start with redis://"));
  CHECK_THAT(error_of("rediss://redis:6379"), Catch::Contains("TLS"));
  CHECK_THAT(error_of("redis://"), Catch::Contains("host is missing"));
  CHECK_THAT(error_of("redis://redis:0"), Catch::Contains("port \"0\""));
  CHECK_THAT(error_of("redis://redis:70000"), Catch::Contains("port \"70000\""));
  CHECK_THAT(error_of("redis://redis:abc"), Catch::Contains("port \"abc\""));
  CHECK_THAT(error_of("redis://redis/x"), Catch::Contains("database \"x\""));
  CHECK_THAT(error_of("redis://redis/-1"), Catch::Contains("database \"-1\""));
  CHECK_THAT(error_of("redis://red is"), Catch::Contains("invalid character"));
  CHECK_THAT(error_of("redis://redis?timeout=1"), Catch::Contains("query parameters"));
  CHECK_THAT(error_of("redis://user@redis"), Catch::Contains("[user]:password"));
  CHECK_THAT(error_of("redis://user:@redis"), Catch::Contains("password after ':' is empty"));
  CHECK_THAT(error_of("redis://[::1:6379"), Catch::Contains("closing ']'"));
}

TEST_CASE("redis URL: errors never contain the password", "[cache][url]") {
  for (const std::string url : {"redis://:hunter2@redis:abc", "redis://u:hunter2@/0", "redis://:hunter2%zz@redis",
                                "redis://:hunter2@redis/db", "http://:hunter2@redis", "redis://:hun/ter2@:1"}) {
    const std::string error = error_of(url);
    INFO(url);
    REQUIRE_FALSE(error.empty());
    CHECK_THAT(error, !Catch::Contains("hunter2") && !Catch::Contains("ter2"));
  }
}
