#include "promptsales/common/logging.hpp"

#include <chrono>
#include <cstdio>
#include <mutex>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "promptsales/common/errors.hpp"
#include "promptsales/common/json_escape.hpp"

namespace promptsales::logging {
namespace {

// spdlog's pattern cannot escape the message, so JSON lines are produced by
// a formatter of our own: {"ts":..,"level":..,"logger":..,"msg":..}.
class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    using namespace std::chrono;
    const auto t = msg.time;
    const auto secs = time_point_cast<seconds>(t);
    const auto ms = duration_cast<milliseconds>(t - secs).count();
    const std::time_t tt = system_clock::to_time_t(secs);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char ts[40];
    const int n = std::snprintf(ts, sizeof ts, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
    std::string line;
    line.reserve(96 + msg.payload.size());
    line += "{\"ts\":\"";
    line.append(ts, static_cast<std::size_t>(n));
    line += "\",\"level\":\"";
    const auto lvl = spdlog::level::to_string_view(msg.level);
    line.append(lvl.data(), lvl.size());
    line += "\",\"logger\":";
    append_json_string(line, std::string_view(msg.logger_name.data(), msg.logger_name.size()));
    line += ",\"msg\":";
    append_json_string(line, std::string_view(msg.payload.data(), msg.payload.size()));
    line += "}\n";
    dest.append(line.data(), line.data() + line.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<JsonFormatter>(); }
};

std::mutex g_mutex;
Options g_options;
spdlog::sink_ptr g_sink;

spdlog::sink_ptr make_sink(const Options& options) {
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  if (options.format == Format::json) {
    sink->set_formatter(std::make_unique<JsonFormatter>());
  } else {
    sink->set_formatter(std::make_unique<spdlog::pattern_formatter>("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ [%n] %v"));
  }
  return sink;
}

}  // namespace

void validate_level(std::string_view level) {
  const auto l = spdlog::level::from_str(std::string(level));
  if (l == spdlog::level::off && level != "off") {
    throw ConfigError("log_level: '" + std::string(level) + "' is not one of trace, debug, info, warn, error, off");
  }
}

void init(const Options& options) {
  validate_level(options.level);
  std::lock_guard lock(g_mutex);
  g_options = options;
  g_sink = make_sink(options);
  const auto level = spdlog::level::from_str(options.level);
  spdlog::apply_all([&](const std::shared_ptr<spdlog::logger>& l) {
    l->sinks().assign(1, g_sink);
    l->set_level(level);
  });
  auto def = std::make_shared<spdlog::logger>("promptsales", g_sink);
  def->set_level(level);
  spdlog::set_default_logger(def);
}

std::shared_ptr<spdlog::logger> get(const std::string& name) {
  if (auto existing = spdlog::get(name)) return existing;
  std::lock_guard lock(g_mutex);
  if (auto existing = spdlog::get(name)) return existing;
  if (!g_sink) g_sink = make_sink(g_options);
  auto logger = std::make_shared<spdlog::logger>(name, g_sink);
  logger->set_level(spdlog::level::from_str(g_options.level));
  spdlog::register_logger(logger);
  return logger;
}

}  // namespace promptsales::logging
