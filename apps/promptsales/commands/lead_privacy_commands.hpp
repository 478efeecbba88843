#pragma once
// `promptsales lead export-subject|forget|export`, registered under `lead`.
#include <CLI/CLI.hpp>

namespace promptsales::app {
class AppContext;

void register_lead_privacy_commands(CLI::App& lead, AppContext& ctx);

}  // namespace promptsales::app
