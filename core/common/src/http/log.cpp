#include "log.hpp"

#include <spdlog/spdlog.h>

namespace promptsales::http::detail {

spdlog::logger& logger() {
  // Looked up each time (a registry lock) because the application may
  // register "http" after the server starts; only error paths get here.
  if (auto named = spdlog::get("http")) return *named;
  return *spdlog::default_logger_raw();
}

}  // namespace promptsales::http::detail
