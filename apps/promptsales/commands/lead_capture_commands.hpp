#pragma once
// `promptsales lead capture configure|list|show|disable|enable|rotate-secret`.
#include <CLI/CLI.hpp>

namespace promptsales::app {
class AppContext;

void register_lead_capture_commands(CLI::App& lead, AppContext& ctx);

}  // namespace promptsales::app
