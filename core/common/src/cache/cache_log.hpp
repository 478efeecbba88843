#pragma once
// The cache's logger: the "cache" logger when main registered one, else the
// default logger. Used only for state changes (outages, reconnects), never
// per request, so looking it up each time is cheap enough.

#include <memory>

#include <spdlog/logger.h>

namespace promptsales::cache {

std::shared_ptr<spdlog::logger> cache_log();

}  // namespace promptsales::cache
