#pragma once
/// Durations written the way people type them on a command line.

#include <chrono>
#include <optional>
#include <string_view>

namespace promptsales::loadgen {

/// Parses "250ms", "10s", "1.5m", "1h" or a bare number of seconds; empty for
/// anything else or a negative value.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

}  // namespace promptsales::loadgen
