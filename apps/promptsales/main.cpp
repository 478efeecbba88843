// promptsales: one binary for operators, jobs, CI and the portal's API.
// This file is the table of contents: each line registers one command group.
#include <CLI/CLI.hpp>

#include "app_context.hpp"
#include "commands/commands.hpp"
#include "error_boundary.hpp"
#include "promptsales/common/logging.hpp"

int main(int argc, char** argv) {
  using namespace promptsales::app;
  CLI::App app{"promptsales: operations toolkit and API server for the PromptSales marketing platform"};
  app.set_version_flag("--version", std::string("promptsales ") + promptsales::app::version());
  // Until the configuration is read, log to stderr at the defaults: stdout
  // belongs to the command's output.
  promptsales::logging::init({});
  AppContext ctx;
  register_global_options(app, ctx);

  register_config_commands(app, ctx);
  register_db_commands(app, ctx);
  register_campaign_commands(app, ctx);
  register_audience_commands(app, ctx);
  register_seed_command(app, ctx);
  register_serve_command(app, ctx);
  register_benchmark_command(app, ctx);
  register_auth_commands(app, ctx);
  register_user_commands(app, ctx);
  register_tenant_commands(app, ctx);
  register_keys_commands(app, ctx);
  register_audit_commands(app, ctx);
  register_jobs_commands(app, ctx);
  register_lead_commands(app, ctx);
  register_lead_score_commands(app, ctx);
  register_backup_commands(app, ctx);

  app.require_subcommand(1);
  return run_with_error_boundary(app, argc, argv, ctx);
}
