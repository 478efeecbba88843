#pragma once
/// Logging setup: one named spdlog logger per context, configured once in
/// main. JSON lines for services and jobs (Loki), text for terminals.

#include <memory>
#include <string>
#include <string_view>

#include <spdlog/logger.h>

namespace promptsales::logging {

enum class Format { text, json };

struct Options {
  std::string level = "info";  ///< trace, debug, info, warn, error, off
  Format format = Format::text;
};

/// Parses "trace".."off"; throws ConfigError naming the value.
void validate_level(std::string_view level);

/// Installs the sinks and level for every logger (existing and future).
/// Logs go to stderr so that stdout stays clean for `--output json`.
void init(const Options& options);

/// The logger of a context ("ads", "http", "db", ...), created on first use.
std::shared_ptr<spdlog::logger> get(const std::string& name);

}  // namespace promptsales::logging
