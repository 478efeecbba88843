#include "promptsales/common/metrics/names.hpp"

#include <algorithm>
#include <cstdint>
#include <stdexcept>

namespace promptsales::metrics {
namespace {

bool is_name_start(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

bool is_name_char(char c) noexcept { return is_name_start(c) || (c >= '0' && c <= '9'); }

bool is_plain_name(std::string_view name) noexcept {
  return !name.empty() && is_name_start(name.front()) &&
         std::all_of(name.begin() + 1, name.end(), is_name_char);
}

std::string quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

}  // namespace

void validate_metric_name(std::string_view name) {
  if (!is_plain_name(name)) {
    throw std::invalid_argument("invalid metric name " + quoted(name) +
                                ": use [a-zA-Z_][a-zA-Z0-9_]* (colons are for recording rules)");
  }
}

void validate_label_names(std::span<const std::string> names, MetricType type) {
  for (auto it = names.begin(); it != names.end(); ++it) {
    const std::string& name = *it;
    if (!is_plain_name(name)) {
      throw std::invalid_argument("invalid label name " + quoted(name) +
                                  ": use [a-zA-Z_][a-zA-Z0-9_]*");
    }
    if (name.starts_with("__")) {
      throw std::invalid_argument("label name " + quoted(name) +
                                  " is reserved: names starting with \"__\" are internal to Prometheus");
    }
    if (type == MetricType::histogram && name == "le") {
      throw std::invalid_argument("label name \"le\" is reserved for histogram buckets");
    }
    if (std::find(names.begin(), it, name) != it) {
      throw std::invalid_argument("label name " + quoted(name) + " is listed twice");
    }
  }
}

void validate_family(std::string_view name, std::string_view help,
                     std::span<const std::string> label_names, MetricType type) {
  validate_metric_name(name);
  validate_label_names(label_names, type);
  if (!is_valid_utf8(help)) {
    throw std::invalid_argument("help text of " + quoted(name) + " is not valid UTF-8");
  }
}

bool is_valid_utf8(std::string_view text) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  while (p < end) {
    const unsigned char lead = *p;
    if (lead < 0x80) {
      ++p;
      continue;
    }
    std::size_t length = 0;
    std::uint32_t code_point = 0;
    std::uint32_t minimum = 0;
    if ((lead & 0xE0) == 0xC0) {
      length = 2, code_point = lead & 0x1Fu, minimum = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
      length = 3, code_point = lead & 0x0Fu, minimum = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
      length = 4, code_point = lead & 0x07u, minimum = 0x10000;
    } else {
      return false;  // a continuation byte, or 0xF8..0xFF, cannot start a sequence
    }
    if (static_cast<std::size_t>(end - p) < length) {
      return false;
    }
    for (std::size_t i = 1; i < length; ++i) {
      if ((p[i] & 0xC0) != 0x80) {
        return false;
      }
      code_point = (code_point << 6) | (p[i] & 0x3Fu);
    }
    const bool overlong = code_point < minimum;
    const bool surrogate = code_point >= 0xD800 && code_point <= 0xDFFF;
    if (overlong || surrogate || code_point > 0x10FFFF) {
      return false;
    }
    p += length;
  }
  return true;
}

}  // namespace promptsales::metrics
