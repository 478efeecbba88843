// `promptsales config show`: every setting, its effective value and where it
// came from, with secrets masked.
#include <iostream>

#include <CLI/CLI.hpp>

#include "app_context.hpp"
#include "commands/commands.hpp"
#include "output.hpp"

namespace promptsales::app {
namespace {

void run_config_show(AppContext& ctx) {
  auto& config = ctx.config();
  if (ctx.json()) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& key : config_keys()) {
      const auto& v = config.get(key.name);
      j[std::string(key.name)] = {{"value", config.display_value(key.name)},
                                  {"source", std::string(to_string(v.source))},
                                  {"origin", v.origin},
                                  {"env", std::string(key.env)},
                                  {"secret", key.secret}};
    }
    print_json(j);
    return;
  }
  Table table({"KEY", "VALUE", "SOURCE", "ENV"});
  for (const auto& key : config_keys()) {
    const auto& v = config.get(key.name);
    std::string source(to_string(v.source));
    if (v.source == ConfigSource::file) source += " (" + v.origin + ")";
    table.add_row({std::string(key.name), config.display_value(key.name), source, std::string(key.env)});
  }
  table.print(std::cout);
}

}  // namespace

void register_config_commands(CLI::App& app, AppContext& ctx) {
  auto* config = app.add_subcommand("config", "Inspect the effective configuration");
  config->require_subcommand(1);
  auto* show = config->add_subcommand("show", "Print every setting, its value and its source (secrets masked)");
  show->callback([&ctx] { run_config_show(ctx); });
}

}  // namespace promptsales::app
