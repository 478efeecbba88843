#include "commands/control_access.hpp"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>

#include "app_context.hpp"
#include "promptsales/crm/lead_store.hpp"

namespace promptsales::app {

namespace {

std::unique_ptr<db::Pool> small_pool(AppContext& ctx, std::string url, std::size_t size = 2) {
  db::PoolOptions options;
  options.url = std::move(url);
  options.size = size;
  options.statement_timeout = ctx.config().millis("db_statement_timeout_ms");
  options.application_name = "promptsales-cli";
  return std::make_unique<db::Pool>(std::move(options));
}

}  // namespace

std::unique_ptr<db::Pool> open_control(AppContext& ctx) { return small_pool(ctx, ctx.config().str("database_url")); }

std::unique_ptr<db::Pool> open_crm(AppContext& ctx, std::size_t size) {
  return small_pool(ctx, crm::locate_crm_database(ctx.config().str("database_url")), size);
}

std::string cli_actor() {
  if (const char* a = std::getenv("PROMPTSALES_ACTOR"); a && *a) return a;
  if (const passwd* pw = getpwuid(geteuid()); pw && pw->pw_name) return std::string("cli:") + pw->pw_name;
  return "cli:uid-" + std::to_string(geteuid());
}

}  // namespace promptsales::app
