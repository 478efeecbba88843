#pragma once
/// One register function per command group; main.cpp calls each once.

namespace CLI {
class App;
}

namespace promptsales::app {
class AppContext;

void register_config_commands(CLI::App& app, AppContext& ctx);
void register_db_commands(CLI::App& app, AppContext& ctx);
void register_campaign_commands(CLI::App& app, AppContext& ctx);
void register_seed_command(CLI::App& app, AppContext& ctx);
void register_serve_command(CLI::App& app, AppContext& ctx);
void register_benchmark_command(CLI::App& app, AppContext& ctx);
void register_auth_commands(CLI::App& app, AppContext& ctx);
void register_user_commands(CLI::App& app, AppContext& ctx);
void register_tenant_commands(CLI::App& app, AppContext& ctx);
void register_keys_commands(CLI::App& app, AppContext& ctx);
void register_audit_commands(CLI::App& app, AppContext& ctx);
void register_audience_commands(CLI::App& app, AppContext& ctx);
void register_jobs_commands(CLI::App& app, AppContext& ctx);
void register_lead_commands(CLI::App& app, AppContext& ctx);
void register_backup_commands(CLI::App& app, AppContext& ctx);
/// Adds `lead event` and `lead score` to the `lead` group; call after register_lead_commands.
void register_lead_score_commands(CLI::App& app, AppContext& ctx);

}  // namespace promptsales::app
