#pragma once
/// What every command shares: the global options, the layered configuration
/// and the output format. Built once in main; commands receive it by reference
/// and read it only inside their callbacks (after parsing).

#include <memory>
#include <optional>
#include <string>

#include "promptsales/common/config.hpp"
#include "promptsales/common/errors.hpp"

namespace CLI {
class App;
}

namespace promptsales::app {

enum class OutputFormat { table, json };

/// Thrown by a command that already printed its result but must end with a
/// non-zero code (e.g. `db status` with pending migrations: exit 3).
struct ExitWith {
  ExitCode code;
};

const char* version() noexcept;

class AppContext {
 public:
  /// Global `--output table|json`.
  OutputFormat output_format() const noexcept { return output_; }
  bool json() const noexcept { return output_ == OutputFormat::json; }

  /// The effective configuration: defaults < file < environment < flags.
  /// Loaded on first use, after the command line is parsed.
  Config& config();

  /// Records a flag value for `key` (highest precedence). Call from a
  /// command's callback for flags that mirror configuration keys.
  void set_flag(const std::string& key, const std::string& value);

  /// Configures logging from the configuration (level, text or JSON).
  void init_logging(bool service_mode);

 private:
  friend void register_global_options(CLI::App& app, AppContext& ctx);
  OutputFormat output_ = OutputFormat::table;
  std::string config_file_;
  std::optional<std::string> log_level_flag_;
  std::optional<std::string> log_format_flag_;
  std::unique_ptr<Config> config_;
};

/// `--output`, `--config`, `--log-level`, `--log-format` on the root command.
void register_global_options(CLI::App& app, AppContext& ctx);

}  // namespace promptsales::app
