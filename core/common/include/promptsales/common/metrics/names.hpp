#pragma once
/// Validation of everything the library writes into the exposition: metric
/// and label names (checked at registration) and UTF-8 text (HELP strings and
/// label values). A bad name would make Prometheus reject the whole scrape,
/// so it is refused where the mistake is made. All throw std::invalid_argument.

#include <span>
#include <string>
#include <string_view>

#include "promptsales/common/metrics/sample.hpp"

namespace promptsales::metrics {

/// Requires [a-zA-Z_][a-zA-Z0-9_]*. Colons are valid in Prometheus but
/// reserved for recording rules, so instrumentation may not use them.
void validate_metric_name(std::string_view name);

/// Requires [a-zA-Z_][a-zA-Z0-9_]*, no reserved "__" prefix, no duplicates,
/// and no "le" on histograms (the renderer adds it to bucket lines).
void validate_label_names(std::span<const std::string> names, MetricType type);

/// Validates a whole family definition: name, label names and UTF-8 help.
void validate_family(std::string_view name, std::string_view help,
                     std::span<const std::string> label_names, MetricType type);

/// True for well-formed UTF-8: no overlong forms, surrogates or code points
/// above U+10FFFF (the exposition format must be valid UTF-8).
bool is_valid_utf8(std::string_view text) noexcept;

}  // namespace promptsales::metrics
