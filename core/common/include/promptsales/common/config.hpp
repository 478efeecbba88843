#pragma once
/// Layered configuration driven by one key table:
/// defaults < config file < PROMPTSALES_* environment < command-line flags.
/// Every value remembers where it came from, so `config show` can explain it.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace promptsales {

enum class ConfigSource { default_value, file, environment, flag };
std::string_view to_string(ConfigSource source) noexcept;

/// One row of the key table.
struct ConfigKey {
  std::string_view name;         ///< e.g. "database_url" (file key)
  std::string_view env;          ///< e.g. "PROMPTSALES_DATABASE_URL"
  std::string_view default_value;
  std::string_view description;
  bool secret = false;           ///< masked in `config show`; never accepted as a flag
};

/// The table itself: every setting promptsales reads.
const std::vector<ConfigKey>& config_keys();

struct ConfigValue {
  std::string value;
  ConfigSource source = ConfigSource::default_value;
  std::string origin;  ///< file path or variable name, for explanations
};

/// Reads environment variables; injectable for tests.
using EnvLookup = std::optional<std::string> (*)(const char* name);
std::optional<std::string> process_env(const char* name);

class Config {
 public:
  /// Loads defaults, then `config_file` (if non-empty; PROMPTSALES_CONFIG
  /// otherwise), then the environment. Throws ConfigError on unreadable
  /// files, unknown keys or malformed lines, naming file and line.
  static Config load(const std::string& config_file = {}, EnvLookup env = process_env);

  /// Highest precedence. Throws ConfigError for unknown keys and for secrets.
  void set_flag(std::string_view key, std::string value);

  const ConfigValue& get(std::string_view key) const;
  const std::string& str(std::string_view key) const { return get(key).value; }
  /// Typed accessors; throw ConfigError naming the key, the value and its source.
  std::int64_t integer(std::string_view key, std::int64_t min, std::int64_t max) const;
  bool boolean(std::string_view key) const;
  std::chrono::milliseconds millis(std::string_view key) const;

  /// Value with secrets masked (passwords inside URLs too).
  std::string display_value(std::string_view key) const;
  const std::map<std::string, ConfigValue, std::less<>>& values() const noexcept { return values_; }

 private:
  void load_file(const std::string& path);
  std::map<std::string, ConfigValue, std::less<>> values_;
};

/// Replaces the password in `scheme://user:password@host` (and `password=`
/// in libpq key/value strings) with "****".
std::string mask_url_password(std::string_view url);

}  // namespace promptsales
