#include "promptsales/common/metrics/text_format.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <system_error>

namespace promptsales::metrics {
namespace {

// Integral values below 2^53 print through an int64 (exact, and no
// exponent for a large counter); larger ones take the general path, which
// also keeps the cast in range.
constexpr double kMaxExactInteger = 9007199254740992.0;

void append_value(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "NaN";
    return;
  }
  if (std::isinf(value)) {
    out += value > 0 ? "+Inf" : "-Inf";
    return;
  }
  char buffer[64];
  if (value == std::trunc(value) && std::fabs(value) < kMaxExactInteger) {
    // Also turns -0 into "0".
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, static_cast<std::int64_t>(value));
    out.append(buffer, result.ptr);
    return;
  }
  // Shortest round-trip digits. Scientific below 1e-4, as Go's strconv 'g'
  // (what client_golang emits) does, so bucket bounds read "0.0001" and the
  // le values match other exporters'; fixed up to 1e21 for readability.
  auto result = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
  // The exponent is parsed within the written bytes only: to_chars does not
  // NUL-terminate, so a C-string parser would read stale buffer contents.
  const char* exponent_text = std::find(buffer, result.ptr, 'e') + 1;
  if (exponent_text < result.ptr && *exponent_text == '+') {
    ++exponent_text;  // from_chars accepts '-' but not '+'
  }
  int exponent = 0;
  std::from_chars(exponent_text, result.ptr, exponent);
  if (exponent >= -4 && exponent < 21) {
    result = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed);
  }
  out.append(buffer, result.ptr);
}

void append_escaped(std::string& out, std::string_view text, bool escape_quotes) {
  for (char c : text) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '"':
        out += escape_quotes ? "\\\"" : "\"";
        break;
      default: out += c;
    }
  }
}

void append_sample(std::string& out, const std::string& family, const Sample& sample) {
  out += family;
  out += sample.suffix;
  if (!sample.labels.empty()) {
    out += '{';
    for (std::size_t i = 0; i < sample.labels.size(); ++i) {
      if (i > 0) {
        out += ',';
      }
      out += sample.labels[i].first;
      out += "=\"";
      append_escaped(out, sample.labels[i].second, true);
      out += '"';
    }
    out += '}';
  }
  out += ' ';
  append_value(out, sample.value);
  out += '\n';
}

}  // namespace

std::string render_text(std::vector<MetricFamilySnapshot> families) {
  std::sort(families.begin(), families.end(),
            [](const MetricFamilySnapshot& a, const MetricFamilySnapshot& b) { return a.name < b.name; });
  std::string out;
  out.reserve(families.size() * 256);
  for (const MetricFamilySnapshot& family : families) {
    out += "# HELP ";
    out += family.name;
    out += ' ';
    append_escaped(out, family.help, false);
    out += "\n# TYPE ";
    out += family.name;
    out += ' ';
    out += type_name(family.type);
    out += '\n';
    for (const Sample& sample : family.samples) {
      append_sample(out, family.name, sample);
    }
  }
  return out;
}

std::string format_value(double value) {
  std::string out;
  append_value(out, value);
  return out;
}

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  append_escaped(out, value, true);
  return out;
}

std::string escape_help(std::string_view help) {
  std::string out;
  out.reserve(help.size());
  append_escaped(out, help, false);
  return out;
}

}  // namespace promptsales::metrics
