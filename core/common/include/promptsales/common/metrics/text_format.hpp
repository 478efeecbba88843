#pragma once
/// The Prometheus text exposition format, version 0.0.4.
/// https://prometheus.io/docs/instrumenting/exposition_formats/

#include <string>
#include <string_view>
#include <vector>

#include "promptsales/common/metrics/sample.hpp"

namespace promptsales::metrics {

/// The Content-Type to send with render_text() output.
inline constexpr std::string_view kTextContentType = "text/plain; version=0.0.4; charset=utf-8";

/// Renders families sorted by name; samples keep the order collectors gave.
std::string render_text(std::vector<MetricFamilySnapshot> families);

/// Formats a sample value or bucket bound: integers exactly ("800000"), other
/// values as the shortest text that parses back to the same double, fixed
/// between 1e-4 and 1e21 ("0.00025") and scientific outside ("1e-05"), and
/// "+Inf", "-Inf", "NaN". Locale-independent (std::to_chars).
std::string format_value(double value);

/// Escapes a label value: backslash, double quote and newline.
std::string escape_label_value(std::string_view value);

/// Escapes HELP text: backslash and newline (quotes stay as they are).
std::string escape_help(std::string_view help);

}  // namespace promptsales::metrics
