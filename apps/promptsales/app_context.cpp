#include "app_context.hpp"

#include <unistd.h>

#include <CLI/CLI.hpp>

#include "promptsales/common/logging.hpp"

namespace promptsales::app {

const char* version() noexcept { return PROMPTSALES_APP_VERSION; }

Config& AppContext::config() {
  if (!config_) {
    config_ = std::make_unique<Config>(Config::load(config_file_));
    if (log_level_flag_) config_->set_flag("log_level", *log_level_flag_);
    if (log_format_flag_) config_->set_flag("log_format", *log_format_flag_);
    init_logging(false);
  }
  return *config_;
}

void AppContext::set_flag(const std::string& key, const std::string& value) { config().set_flag(key, value); }

void AppContext::init_logging(bool service_mode) {
  logging::Options options;
  const auto& level = config().get("log_level");
  options.level = level.value;
  // A terminal command prints its result; routine info lines from the
  // libraries would only clutter it. Services log at the configured level.
  if (!service_mode && level.source == ConfigSource::default_value) options.level = "warn";
  const std::string& format = config().str("log_format");
  if (format == "json") {
    options.format = logging::Format::json;
  } else if (format == "text") {
    options.format = logging::Format::text;
  } else if (format == "auto") {
    // Services and jobs log JSON lines for Loki; people at a terminal read text.
    options.format = service_mode || !isatty(STDERR_FILENO) ? logging::Format::json : logging::Format::text;
  } else {
    throw ConfigError("log_format: '" + format + "' is not one of text, json, auto");
  }
  logging::init(options);
}

void register_global_options(CLI::App& app, AppContext& ctx) {
  // Subcommands created later inherit this: global flags work after them too
  // (`promptsales campaign list -o json`).
  app.fallthrough();
  app.add_option_function<std::string>(
         "-o,--output", [&ctx](const std::string& v) { ctx.output_ = v == "json" ? OutputFormat::json : OutputFormat::table; },
         "Output format: table (default) or json")
      ->check(CLI::IsMember({"table", "json"}))
      ->envname("PROMPTSALES_OUTPUT");
  app.add_option("-c,--config", ctx.config_file_, "Configuration file (key = value lines)")
      ->envname("PROMPTSALES_CONFIG");
  app.add_option("--log-level", ctx.log_level_flag_, "trace, debug, info, warn, error, off");
  app.add_option("--log-format", ctx.log_format_flag_, "text, json or auto");
}

}  // namespace promptsales::app
