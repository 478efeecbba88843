// append_json_string: escaping, UTF-8 handling, and that the result is always
// valid JSON (checked with nlohmann::json, an independent parser).
#include <catch2/catch.hpp>

#include <random>
#include <string>

#include <nlohmann/json.hpp>

#include "promptsales/common/json_escape.hpp"

using promptsales::append_json_string;

namespace {

std::string escaped(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

std::string parsed(const std::string& json_text) { return nlohmann::json::parse(json_text).get<std::string>(); }

const std::string kReplacement = "\xEF\xBF\xBD";  // U+FFFD

}  // namespace

TEST_CASE("json escape: plain ASCII is quoted as is", "[json]") {
  CHECK(escaped("") == "\"\"");
  CHECK(escaped("hello world") == "\"hello world\"");
  CHECK(escaped("a/b <c> & 'd'") == "\"a/b <c> & 'd'\"");
  CHECK(escaped("\x7f") == "\"\x7f\"");  // DEL needs no escape in JSON
}

TEST_CASE("json escape: appends, never replaces", "[json]") {
  std::string out = "{\"k\":";
  append_json_string(out, "v");
  out += "}";
  CHECK(out == "{\"k\":\"v\"}");
  CHECK(nlohmann::json::parse(out)["k"] == "v");
}

TEST_CASE("json escape: quotes, backslashes and named control escapes", "[json]") {
  CHECK(escaped("say \"hi\"") == R"("say \"hi\"")");
  CHECK(escaped("C:\\path\\") == R"("C:\\path\\")");
  CHECK(escaped("a\nb") == R"("a\nb")");
  CHECK(escaped("a\rb") == R"("a\rb")");
  CHECK(escaped("a\tb") == R"("a\tb")");
  CHECK(escaped("a\bb") == R"("a\bb")");
  CHECK(escaped("a\fb") == R"("a\fb")");
}

TEST_CASE("json escape: other control characters as u00XX escapes", "[json]") {
  CHECK(escaped(std::string_view("\0", 1)) == R"("\u0000")");
  CHECK(escaped("\x01") == R"("\u0001")");
  CHECK(escaped("\x1b[31m") == R"("\u001b[31m")");
  CHECK(escaped("\x1f") == R"("\u001f")");
  for (int c = 0; c < 0x20; ++c) {
    const std::string s(1, static_cast<char>(c));
    const auto out = escaped(s);
    INFO("control " << c);
    CHECK(out.find(static_cast<char>(c)) == std::string::npos);  // never raw
    CHECK(parsed(out) == s);
  }
}

TEST_CASE("json escape: valid UTF-8 is kept byte for byte", "[json]") {
  const std::string samples[] = {
      "Café",                            // 2-byte
      "Navidad Mágica ñandú",            // 2-byte
      "日本語のキャンペーン",            // 3-byte
      "\xE2\x82\xAC 100",                // euro sign
      "rocket \xF0\x9F\x9A\x80 launch",  // 4-byte
      "\xF4\x8F\xBF\xBF",                // U+10FFFF, the last code point
      "\xEF\xBF\xBD",                    // U+FFFD itself
      "\xC2\x80",                        // U+0080, the first 2-byte
      "\xE0\xA0\x80",                    // U+0800, the first 3-byte
      "\xF0\x90\x80\x80",                // U+10000, the first 4-byte
      "\xED\x9F\xBF",                    // U+D7FF, just below the surrogates
      "\xEE\x80\x80",                    // U+E000, just above the surrogates
  };
  for (const auto& s : samples) {
    INFO(s);
    CHECK(escaped(s) == "\"" + s + "\"");
    CHECK(parsed(escaped(s)) == s);
  }
}

TEST_CASE("json escape: invalid UTF-8 becomes U+FFFD", "[json]") {
  struct Case {
    std::string in;
    std::string out;
  };
  const auto R = kReplacement;
  const Case cases[] = {
      {"\xff", R},
      {"\xfe", R},
      {"a\x80z", "a" + R + "z"},                  // lone continuation byte
      {"\xC3", R},                                // truncated 2-byte at the end
      {"\xC3(", R + "("},                         // bad continuation
      {"\xE2\x82", R + R},                        // truncated 3-byte
      {"\xC0\xAF", R + R},                        // overlong '/'
      {"\xC1\xBF", R + R},                        // overlong
      {"\xE0\x80\xAF", R + R + R},                // overlong 3-byte
      {"\xF0\x80\x80\xAF", R + R + R + R},        // overlong 4-byte
      {"\xED\xA0\x80", R + R + R},                // UTF-16 surrogate D800
      {"\xED\xBF\xBF", R + R + R},                // surrogate DFFF
      {"\xF4\x90\x80\x80", R + R + R + R},        // above U+10FFFF
      {"\xF5\x80\x80\x80", R + R + R + R},        // invalid lead byte
      {"ok\xC3\xA9\xff\xC3\xA9", "ok\xC3\xA9" + R + "\xC3\xA9"},  // valid around invalid
  };
  for (const auto& c : cases) {
    INFO("case " << nlohmann::json(c.out).dump());
    CHECK(escaped(c.in) == "\"" + c.out + "\"");
    CHECK(parsed(escaped(c.in)) == c.out);
  }
}

TEST_CASE("json escape: any byte string gives valid JSON", "[json]") {
  std::mt19937 rng(12345);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<int> length(0, 40);
  for (int i = 0; i < 3000; ++i) {
    std::string s;
    const int n = length(rng);
    for (int k = 0; k < n; ++k) s.push_back(static_cast<char>(byte(rng)));
    const auto out = escaped(s);
    INFO("iteration " << i);
    REQUIRE_NOTHROW(nlohmann::json::parse(out));
    REQUIRE(nlohmann::json::parse(out).is_string());
  }
}

TEST_CASE("json escape: round trip of mixed text", "[json]") {
  const std::string s = "Línea 1\n\t\"quoted\" \\ back \x01 ctrl \xF0\x9F\x98\x80 end";
  CHECK(parsed(escaped(s)) == s);
  // The same text inside an object, as hand-built responses use it.
  std::string obj = "{\"name\":";
  append_json_string(obj, s);
  obj += ",\"n\":1}";
  const auto j = nlohmann::json::parse(obj);
  CHECK(j["name"] == s);
  CHECK(j["n"] == 1);
}
