#include "promptsales/common/loadgen/url_template.hpp"

#include <charconv>

#include "promptsales/common/errors.hpp"

namespace promptsales::loadgen {
namespace {

ValidationError bad_url(const std::string& why) { return ValidationError("url", why); }

std::uint16_t parse_port(std::string_view text) {
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value == 0 || value > 65535) {
    throw bad_url("invalid port '" + std::string(text) + "'");
  }
  return static_cast<std::uint16_t>(value);
}

}  // namespace

UrlTemplate UrlTemplate::parse(std::string_view url) {
  UrlTemplate t;
  t.text_ = std::string(url);
  constexpr std::string_view kScheme = "http://";
  if (url.substr(0, kScheme.size()) != kScheme) {
    throw bad_url(url.substr(0, 8) == "https://" ? "https is not supported; point the benchmark at the HTTP port"
                                                 : "must start with http://");
  }
  std::string_view rest = url.substr(kScheme.size());
  const std::size_t target_at = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, target_at);
  std::string_view target = target_at == std::string_view::npos ? std::string_view{} : rest.substr(target_at);
  if (authority.find('@') != std::string_view::npos) {
    throw bad_url("credentials in the URL are not supported; use --header Authorization");
  }
  if (!authority.empty() && authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      throw bad_url("unterminated IPv6 address");
    }
    t.host_ = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        throw bad_url("unexpected text after the IPv6 address");
      }
      t.port_ = parse_port(after.substr(1));
    }
  } else {
    const std::size_t colon = authority.rfind(':');
    t.host_ = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      t.port_ = parse_port(authority.substr(colon + 1));
    }
  }
  if (t.host_.empty()) {
    throw bad_url("missing host");
  }
  if (target.empty()) {
    target = "/";
  } else if (target.front() == '?') {
    t.parts_.push_back({PartKind::literal, "/"});
  }
  const std::size_t fragment = target.find('#');
  target = target.substr(0, fragment);

  std::string literal;
  for (std::size_t i = 0; i < target.size(); ++i) {
    const char c = target[i];
    if (c == ' ' || c == '\r' || c == '\n' || c == '\t') {
      throw bad_url("contains whitespace; percent-encode it");
    }
    if (c != '{') {
      literal += c;
      continue;
    }
    const std::size_t close = target.find('}', i);
    if (close == std::string_view::npos) {
      throw bad_url("unterminated placeholder");
    }
    const std::string_view name = target.substr(i + 1, close - i - 1);
    PartKind kind;
    if (name == "org") {
      kind = PartKind::org;
      t.uses_org_ = true;
    } else if (name == "offset") {
      kind = PartKind::offset;
      t.uses_offset_ = true;
    } else {
      throw bad_url("unknown placeholder {" + std::string(name) + "}; use {org} or {offset}");
    }
    if (!literal.empty()) {
      t.parts_.push_back({PartKind::literal, std::move(literal)});
      literal.clear();
    }
    t.parts_.push_back({kind, {}});
    i = close;
  }
  if (!literal.empty()) {
    t.parts_.push_back({PartKind::literal, std::move(literal)});
  }
  return t;
}

std::string UrlTemplate::host_header() const {
  const bool ipv6 = host_.find(':') != std::string::npos;
  std::string header = ipv6 ? "[" + host_ + "]" : host_;
  if (port_ != 80) {
    header += ':';
    header += std::to_string(port_);
  }
  return header;
}

void UrlTemplate::expand(std::string& out, std::string_view org, std::string_view offset) const {
  for (const Part& part : parts_) {
    switch (part.kind) {
      case PartKind::literal:
        out += part.text;
        break;
      case PartKind::org:
        out += org;
        break;
      case PartKind::offset:
        out += offset;
        break;
    }
  }
}

std::string UrlTemplate::expand(std::string_view org, std::string_view offset) const {
  std::string out;
  expand(out, org, offset);
  return out;
}

std::string encode_component(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                            c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += c;
    } else {
      const auto byte = static_cast<unsigned char>(c);
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0xF];
    }
  }
  return out;
}

}  // namespace promptsales::loadgen
