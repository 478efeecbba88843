// Request-target parsing: the path and query decoding behind parse_target and
// percent_decode. Kept allocation-free when the target needs no decoding,
// because every request goes through it.
#include <cstddef>

#include "promptsales/common/http/message.hpp"

namespace promptsales::http {
namespace {

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/// Decodes `in` into `out` (replacing its contents, keeping its capacity).
bool decode_into(std::string_view in, bool form, std::string& out) {
  out.clear();
  std::size_t i = 0;
  while (i < in.size()) {
    // Copy the run of bytes that need no decoding in one append.
    std::size_t run = i;
    while (run < in.size() && in[run] != '%' && !(form && in[run] == '+') && in[run] != '\0') ++run;
    out.append(in.substr(i, run - i));
    i = run;
    if (i == in.size()) break;
    const char c = in[i];
    if (c == '\0') return false;
    if (c == '+') {
      out += ' ';
      ++i;
      continue;
    }
    if (in.size() - i < 3) return false;  // '%' needs two hex digits after it
    const int hi = hex_value(in[i + 1]);
    const int lo = hex_value(in[i + 2]);
    if (hi < 0 || lo < 0) return false;
    const int byte = hi * 16 + lo;
    if (byte == 0) return false;
    out += static_cast<char>(byte);
    i += 3;
  }
  return true;
}

/// Strips "scheme://authority" from an absolute-form target (RFC 9112 3.2.2).
std::string_view origin_form(std::string_view target) {
  const std::size_t scheme_end = target.find("://");
  if (scheme_end == std::string_view::npos || scheme_end == 0) return target;
  for (std::size_t i = 0; i < scheme_end; ++i) {
    const char c = target[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!alpha && !(i > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'))) return target;
  }
  const std::size_t path_start = target.find_first_of("/?", scheme_end + 3);
  if (path_start == std::string_view::npos) return "/";
  if (target[path_start] == '?') return {};  // "http://host?q" has no path: reject below
  return target.substr(path_start);
}

}  // namespace

std::optional<std::string> percent_decode(std::string_view in, bool form) {
  std::string out;
  if (!decode_into(in, form, out)) return std::nullopt;
  return out;
}

bool parse_target(std::string_view target, std::string& path, Fields& query) {
  query.clear();
  target = origin_form(target);
  if (target.empty() || target.front() != '/') return false;
  const std::size_t q = target.find('?');
  if (!decode_into(target.substr(0, q), false, path)) return false;
  if (q == std::string_view::npos) return true;

  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    const std::size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    if (pair.empty()) continue;  // "a=1&&b=2" and a trailing '&' are harmless
    const std::size_t eq = pair.find('=');
    auto& field = query.emplace_back();
    if (!decode_into(pair.substr(0, eq), true, field.first)) return false;
    if (eq != std::string_view::npos && !decode_into(pair.substr(eq + 1), true, field.second)) return false;
  }
  return true;
}

std::optional<ParsedTarget> parse_target(std::string_view target) {
  ParsedTarget parsed;
  if (!parse_target(target, parsed.path, parsed.query)) return std::nullopt;
  return parsed;
}

}  // namespace promptsales::http
