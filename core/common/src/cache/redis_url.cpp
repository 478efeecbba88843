#include "promptsales/common/cache/redis_url.hpp"

#include <charconv>
#include <fstream>
#include <iterator>
#include <optional>
#include <stdexcept>

namespace promptsales::cache {
namespace {

constexpr std::string_view scheme = "redis://";

// The URL as it may appear in an error: everything before the last '@' (the
// user and password, wherever the parse failed) is masked. The last '@' is
// used because '@' cannot appear in host, port or database, while an
// unencoded one might appear in a password.
std::string masked(std::string_view url) {
  const auto at = url.rfind('@');
  if (at == std::string_view::npos) {
    return std::string(url);
  }
  const auto start = url.find("://");
  const std::size_t keep = (start != std::string_view::npos && start < at) ? start + 3 : 0;
  return std::string(url.substr(0, keep)) + "***" + std::string(url.substr(at));
}

[[noreturn]] void fail(std::string_view url, std::string_view problem) {
  throw std::invalid_argument("invalid Redis URL \"" + masked(url) + "\": " + std::string(problem) +
                              " (expected redis://[[user]:password@]host[:port][/db])");
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> percent_decode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out.push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size()) {
      return std::nullopt;
    }
    const int hi = hex_value(in[i + 1]);
    const int lo = hex_value(in[i + 2]);
    if (hi < 0 || lo < 0) {
      return std::nullopt;
    }
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

bool is_host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_';
}

bool is_ipv6_char(char c) { return hex_value(c) >= 0 || c == ':' || c == '.'; }

template <class Int>
std::optional<Int> parse_number(std::string_view text) {
  Int value{};
  if (text.empty()) {
    return std::nullopt;
  }
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

std::string RedisUrl::redacted() const {
  std::string out(scheme);
  if (!user.empty() || !password.empty()) {
    out += user;
    out += ":***@";
  }
  const bool ipv6 = host.find(':') != std::string::npos;
  out += ipv6 ? "[" + host + "]" : host;
  out += ':' + std::to_string(port) + '/' + std::to_string(db);
  return out;
}

RedisUrl parse_redis_url(std::string_view url) {
  if (url.starts_with("rediss://")) {
    fail(url, "TLS (rediss://) is not supported by this build (hiredis 0.14)");
  }
  if (url.starts_with("unix://")) {
    fail(url, "unix sockets are not supported");
  }
  if (!url.starts_with(scheme)) {
    fail(url, "it must start with redis://");
  }
  std::string_view rest = url.substr(scheme.size());
  RedisUrl out;

  if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
    const std::string_view userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    const auto colon = userinfo.find(':');
    if (colon == std::string_view::npos) {
      fail(url, "the part before '@' must be [user]:password");
    }
    auto user = percent_decode(userinfo.substr(0, colon));
    auto password = percent_decode(userinfo.substr(colon + 1));
    if (!user || !password) {
      fail(url, "bad percent-encoding in the user or password");
    }
    if (password->empty()) {
      fail(url, "the password after ':' is empty");
    }
    out.user = std::move(*user);
    out.password = std::move(*password);
  }
  if (rest.find_first_of("?#") != std::string_view::npos) {
    fail(url, "query parameters and fragments are not supported");
  }

  const auto slash = rest.find('/');
  const std::string_view authority = rest.substr(0, slash);
  const std::optional<std::string_view> path =
      slash == std::string_view::npos ? std::nullopt : std::optional(rest.substr(slash + 1));

  std::string_view host;
  std::optional<std::string_view> port;
  if (authority.starts_with('[')) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) {
      fail(url, "an IPv6 host needs a closing ']'");
    }
    host = authority.substr(1, close - 1);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (!after.starts_with(':')) {
        fail(url, "expected ':port' after the IPv6 host");
      }
      port = after.substr(1);
    }
    for (char c : host) {
      if (!is_ipv6_char(c)) {
        fail(url, "the IPv6 host \"" + std::string(host) + "\" has an invalid character");
      }
    }
  } else {
    const auto colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
    }
    for (char c : host) {
      if (!is_host_char(c)) {
        fail(url, "the host \"" + std::string(host) + "\" has an invalid character");
      }
    }
  }
  if (host.empty()) {
    fail(url, "the host is missing");
  }
  out.host = std::string(host);

  if (port) {
    const auto number = parse_number<unsigned>(*port);
    if (!number || *number == 0 || *number > 65535) {
      fail(url, "the port \"" + std::string(*port) + "\" is not a number from 1 to 65535");
    }
    out.port = static_cast<std::uint16_t>(*number);
  }
  if (path && !path->empty()) {
    const auto number = parse_number<int>(*path);
    if (!number || *number < 0) {
      fail(url, "the database \"" + std::string(*path) + "\" is not a non-negative number");
    }
    out.db = *number;
  }
  return out;
}

void apply_password_file(RedisUrl& url, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::invalid_argument("redis_password_file '" + path + "': cannot read the file");
  std::string password((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!password.empty() && (password.back() == '\n' || password.back() == '\r')) password.pop_back();
  if (password.empty()) throw std::invalid_argument("redis_password_file '" + path + "': the file is empty");
  if (password.find_first_of("\r\n") != std::string::npos) {
    throw std::invalid_argument("redis_password_file '" + path + "': expected the password on one line");
  }
  url.password = std::move(password);
}

}  // namespace promptsales::cache
