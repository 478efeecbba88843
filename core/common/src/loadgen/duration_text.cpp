#include "promptsales/common/loadgen/duration_text.hpp"

#include <cmath>
#include <cstdlib>
#include <string>

namespace promptsales::loadgen {

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  std::size_t digits = 0;
  while (digits < text.size() && ((text[digits] >= '0' && text[digits] <= '9') || text[digits] == '.')) {
    ++digits;
  }
  if (digits == 0) {
    return std::nullopt;
  }
  const std::string number(text.substr(0, digits));
  char* end = nullptr;
  const double value = std::strtod(number.c_str(), &end);
  if (end != number.c_str() + number.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  const std::string_view unit = text.substr(digits);
  double millis_per_unit = 0;
  if (unit.empty() || unit == "s") {
    millis_per_unit = 1'000;
  } else if (unit == "ms") {
    millis_per_unit = 1;
  } else if (unit == "m" || unit == "min") {
    millis_per_unit = 60'000;
  } else if (unit == "h") {
    millis_per_unit = 3'600'000;
  } else {
    return std::nullopt;
  }
  const double millis = value * millis_per_unit;
  // A week is far beyond any benchmark and keeps the cast well defined.
  if (millis > 7.0 * 24 * 3'600'000) {
    return std::nullopt;
  }
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(millis)));
}

}  // namespace promptsales::loadgen
