// Request-target decoding: parse_target (path and query string) and
// percent_decode, with the properties the router and the handlers rely on.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "promptsales/common/http/message.hpp"

namespace {

using promptsales::http::Fields;
using promptsales::http::parse_target;
using promptsales::http::percent_decode;

bool has_nul(std::string_view s) { return s.find('\0') != std::string_view::npos; }

/// Encodes every byte, so decoding must give `s` back exactly.
std::string encode_all(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    out += '%';
    out += kHex[c >> 4];
    out += kHex[c & 0xF];
  }
  return out;
}

void check_decode(std::string_view in, bool form) {
  const auto decoded = percent_decode(in, form);
  if (!decoded) return;
  FUZZ_CHECK(decoded->size() <= in.size());
  FUZZ_CHECK(!has_nul(*decoded));
  const auto again = percent_decode(encode_all(*decoded), form);
  FUZZ_CHECK(again && *again == *decoded);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  check_decode(in, false);
  check_decode(in, true);

  const auto parsed = parse_target(in);
  // The form that reuses a connection's buffers must agree with the other.
  std::string path = "stale";
  Fields query{{"stale", "stale"}};
  const bool ok = parse_target(in, path, query);
  FUZZ_CHECK(ok == parsed.has_value());
  if (!parsed) return 0;
  FUZZ_CHECK(path == parsed->path && query == parsed->query);
  FUZZ_CHECK(!parsed->path.empty() && parsed->path.front() == '/');
  FUZZ_CHECK(!has_nul(parsed->path));
  for (const auto& [key, value] : parsed->query) FUZZ_CHECK(!has_nul(key) && !has_nul(value));
  return 0;
}
