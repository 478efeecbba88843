#pragma once
// The server's logger: the "http" logger when the application registered
// one, else spdlog's default. Used on error paths only, never per request.

#include <spdlog/logger.h>

namespace promptsales::http::detail {

spdlog::logger& logger();

}  // namespace promptsales::http::detail
