#include <catch2/catch.hpp>

#include "promptsales/common/errors.hpp"
#include "promptsales/common/loadgen/duration_text.hpp"
#include "promptsales/common/loadgen/header_line.hpp"
#include "promptsales/common/loadgen/load_options.hpp"
#include "promptsales/common/loadgen/url_template.hpp"

using namespace promptsales::loadgen;
using promptsales::ValidationError;

TEST_CASE("URL template expands {org} and {offset}", "[url]") {
  const auto t = UrlTemplate::parse("http://127.0.0.1:8080/api/v1/campaigns?organizationId={org}&limit=20&offset={offset}");
  CHECK(t.host() == "127.0.0.1");
  CHECK(t.port() == 8080);
  CHECK(t.host_header() == "127.0.0.1:8080");
  CHECK(t.uses_org());
  CHECK(t.uses_offset());
  CHECK(t.expand("42", "40") == "/api/v1/campaigns?organizationId=42&limit=20&offset=40");
  CHECK(t.expand("7", "0") == "/api/v1/campaigns?organizationId=7&limit=20&offset=0");
}

TEST_CASE("URL template placeholders may repeat or be absent", "[url]") {
  const auto repeated = UrlTemplate::parse("http://h/orgs/{org}/campaigns?org={org}");
  CHECK(repeated.expand("a%20b", "") == "/orgs/a%20b/campaigns?org=a%20b");
  CHECK_FALSE(repeated.uses_offset());
  const auto plain = UrlTemplate::parse("http://example.com");
  CHECK(plain.port() == 80);
  CHECK(plain.host_header() == "example.com");
  CHECK(plain.expand("1", "0") == "/");
  CHECK_FALSE(plain.uses_org());
  CHECK(UrlTemplate::parse("http://h:81?x={org}").expand("3", "") == "/?x=3");
  CHECK(UrlTemplate::parse("http://h/p#frag").expand("", "") == "/p");
}

TEST_CASE("URL template handles IPv6 literals", "[url]") {
  const auto t = UrlTemplate::parse("http://[::1]:9000/x");
  CHECK(t.host() == "::1");
  CHECK(t.port() == 9000);
  CHECK(t.host_header() == "[::1]:9000");
}

TEST_CASE("URL template rejects what it cannot send", "[url]") {
  const char* bad[] = {"https://h/x",  "ftp://h/x",    "http:///x",        "http://h:0/x", "http://h:99999/x",
                       "http://h:x/y", "http://h/{id}", "http://h/{org",    "http://[::1/x", "http://u:p@h/x",
                       "http://h/a b"};
  for (const char* url : bad) {
    INFO(url);
    CHECK_THROWS_AS(UrlTemplate::parse(url), ValidationError);
  }
}

TEST_CASE("organization ids are percent-encoded", "[url]") {
  CHECK(encode_component("abc-DEF_1.2~") == "abc-DEF_1.2~");
  CHECK(encode_component("a b/c&d=e") == "a%20b%2Fc%26d%3De");
  CHECK(encode_component("\xC3\xA9") == "%C3%A9");
}

TEST_CASE("organization_range yields 1..n", "[url]") {
  CHECK(organization_range(3) == std::vector<std::string>{"1", "2", "3"});
  CHECK(organization_range(0).empty());
}

TEST_CASE("header lines parse as Name: value", "[header]") {
  const auto h = parse_header_line("Authorization:   Bearer abc.def  ");
  REQUIRE(h);
  CHECK(h->name == "Authorization");
  CHECK(h->value == "Bearer abc.def");
  CHECK(parse_header_line("X-Empty:")->value.empty());
  CHECK_FALSE(parse_header_line("no colon"));
  CHECK_FALSE(parse_header_line(": value"));
  CHECK_FALSE(parse_header_line("Bad Name: v"));
  CHECK_FALSE(parse_header_line("X: a\r\nInjected: yes"));
}

TEST_CASE("durations accept ms, s, m and h", "[duration]") {
  using std::chrono::milliseconds;
  CHECK(parse_duration("10s") == milliseconds(10'000));
  CHECK(parse_duration("10") == milliseconds(10'000));
  CHECK(parse_duration("250ms") == milliseconds(250));
  CHECK(parse_duration("1.5m") == milliseconds(90'000));
  CHECK(parse_duration("2min") == milliseconds(120'000));
  CHECK(parse_duration("1h") == milliseconds(3'600'000));
  CHECK(parse_duration("0s") == milliseconds(0));
  CHECK_FALSE(parse_duration(""));
  CHECK_FALSE(parse_duration("s"));
  CHECK_FALSE(parse_duration("-1s"));
  CHECK_FALSE(parse_duration("10x"));
  CHECK_FALSE(parse_duration("1.2.3s"));
  CHECK_FALSE(parse_duration("1000h"));
}
