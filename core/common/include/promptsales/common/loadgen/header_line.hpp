#pragma once
/// Extra request headers given as "Name: value".

#include <optional>
#include <string>
#include <string_view>

namespace promptsales::loadgen {

/// One request header.
struct HeaderLine {
  std::string name;
  std::string value;
};

/// Parses "Name: value". Empty when the name is not an HTTP token or the value
/// holds CR, LF or NUL, which would let a header inject others.
std::optional<HeaderLine> parse_header_line(std::string_view line);

}  // namespace promptsales::loadgen
