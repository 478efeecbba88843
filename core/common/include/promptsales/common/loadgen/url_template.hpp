#pragma once
/// The benchmark URL with `{org}` and `{offset}` placeholders.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace promptsales::loadgen {

/// A parsed `http://host[:port]/path?query` whose path and query may hold
/// `{org}` and `{offset}`, expanded per request without reparsing.
class UrlTemplate {
 public:
  /// Parses `url`; throws ValidationError (field "url") for anything but an
  /// http:// URL with a host, or for an unknown `{placeholder}`.
  static UrlTemplate parse(std::string_view url);

  /// The URL as given.
  const std::string& text() const noexcept { return text_; }
  /// Host name or address, without IPv6 brackets.
  const std::string& host() const noexcept { return host_; }
  /// TCP port (80 when the URL names none).
  std::uint16_t port() const noexcept { return port_; }
  /// Value for the Host header: the host, plus `:port` when it is not 80.
  std::string host_header() const;
  /// Whether the URL contains `{org}`.
  bool uses_org() const noexcept { return uses_org_; }
  /// Whether the URL contains `{offset}`.
  bool uses_offset() const noexcept { return uses_offset_; }

  /// Appends the request target (path and query) with the placeholders replaced
  /// by `org` and `offset` as given: encode them once beforehand with encode_component().
  void expand(std::string& out, std::string_view org, std::string_view offset) const;
  /// The request target with the placeholders replaced.
  std::string expand(std::string_view org, std::string_view offset) const;

 private:
  enum class PartKind { literal, org, offset };
  struct Part {
    PartKind kind;
    std::string text;
  };

  std::string text_;
  std::string host_;
  std::uint16_t port_ = 80;
  bool uses_org_ = false;
  bool uses_offset_ = false;
  std::vector<Part> parts_;
};

/// Percent-encodes everything but RFC 3986 unreserved characters, so an
/// organization id can go into a path segment or a query value safely.
std::string encode_component(std::string_view value);

}  // namespace promptsales::loadgen
