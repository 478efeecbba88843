#include "cache_log.hpp"

#include <spdlog/spdlog.h>

namespace promptsales::cache {

std::shared_ptr<spdlog::logger> cache_log() {
  if (auto named = spdlog::get("cache")) {
    return named;
  }
  return spdlog::default_logger();
}

}  // namespace promptsales::cache
