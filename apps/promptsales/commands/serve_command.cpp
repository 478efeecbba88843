// `promptsales serve`: the portal's REST API.
#include <cstdio>
#include <cstdlib>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "app_context.hpp"
#include "commands/commands.hpp"
#include "promptsales/sales/api_server.hpp"

namespace promptsales::app {
namespace {

struct ServeOptions {
  std::optional<std::string> listen;
  std::optional<int> io_threads;
  std::optional<int> worker_threads;
  bool no_cache = false;
  bool insecure_no_auth = false;
  std::optional<std::string> tls_cert;
  std::optional<std::string> tls_key;
};

void run_serve(AppContext& ctx, const ServeOptions& o) {
  if (o.listen) ctx.set_flag("listen", *o.listen);
  if (o.io_threads) ctx.set_flag("io_threads", std::to_string(*o.io_threads));
  if (o.worker_threads) ctx.set_flag("worker_threads", std::to_string(*o.worker_threads));
  if (o.no_cache) ctx.set_flag("cache_enabled", "false");
  if (o.insecure_no_auth) ctx.set_flag("auth_enabled", "false");
  // Paths only: the key itself never appears on the command line.
  if (o.tls_cert) ctx.set_flag("tls_cert_file", *o.tls_cert);
  if (o.tls_key) ctx.set_flag("tls_key_file", *o.tls_key);
  ctx.init_logging(true);
  sales::ApiServer server(ctx.config(), /*handle_signals=*/true);
  server.start();
  server.wait();
  // The drain is over (shutdown_timeout_ms at most). A handler still stuck,
  // say a query waiting on a lock, must not hold the pod past its grace
  // period: leave now instead of joining its thread in destructors. This is
  // the one exit outside the error boundary, and it reports success because
  // the drain itself completed.
  spdlog::shutdown();
  std::fflush(nullptr);
  std::_Exit(0);
}

}  // namespace

void register_serve_command(CLI::App& app, AppContext& ctx) {
  auto o = std::make_shared<ServeOptions>();
  auto* serve = app.add_subcommand("serve", "Run the portal's REST API (/api/v1/...) until SIGTERM");
  serve->add_option("--listen", o->listen, "host:port to listen on (default 127.0.0.1:8080)");
  serve->add_option("--io-threads", o->io_threads, "HTTP I/O threads (0 = one per core)");
  serve->add_option("--worker-threads", o->worker_threads, "Threads for requests that query the database");
  serve->add_option("--tls-cert", o->tls_cert,
                    "PEM certificate chain: serve HTTPS (TLS 1.3 only) with --tls-key (env PROMPTSALES_TLS_CERT_FILE)");
  serve->add_option("--tls-key", o->tls_key, "PEM private key file of --tls-cert (env PROMPTSALES_TLS_KEY_FILE)");
  serve->add_flag("--no-cache", o->no_cache, "Serve every request from PostgreSQL (for measurements)");
  serve->add_flag("--insecure-no-auth", o->insecure_no_auth,
                  "Accept requests without tokens, as a platform operator (loopback only; logs a warning)");
  serve->callback([&ctx, o] { run_serve(ctx, *o); });
}

}  // namespace promptsales::app
