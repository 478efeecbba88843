// `promptsales seed`: deterministic demo and benchmark data.
#include <iostream>

#include <CLI/CLI.hpp>

#include "app_context.hpp"
#include "commands/commands.hpp"
#include "output.hpp"
#include "promptsales/sales/portal.hpp"
#include "promptsales/sales/seed.hpp"

namespace promptsales::app {

void register_seed_command(CLI::App& app, AppContext& ctx) {
  auto o = std::make_shared<sales::SeedOptions>();
  auto* seed = app.add_subcommand("seed", "Load deterministic demo data (organizations and campaigns) with COPY");
  seed->add_option("--organizations", o->organizations, "Organizations to create (ids 1..N)")->capture_default_str();
  seed->add_option("--campaigns-per-org", o->campaigns_per_org, "Campaigns per organization")->capture_default_str();
  seed->add_option("--seed", o->seed, "Random seed: the same seed gives the same data")->capture_default_str();
  seed->add_flag("--replace", o->replace, "Delete all existing organizations (with their users) and campaigns first");
  seed->callback([&ctx, o] {
    sales::Portal portal(ctx.config());
    const bool show_progress = !ctx.json() && stderr_is_tty();
    o->progress = [&](std::size_t done, std::size_t total) {
      if (show_progress) std::cerr << "\rseeding campaigns: " << done << "/" << total << std::flush;
    };
    const auto r = sales::seed_demo_data(portal.databases(), *o);
    if (show_progress) std::cerr << "\n";
    std::vector<std::int64_t> organizations(static_cast<std::size_t>(r.max_organization_id));
    for (std::size_t i = 0; i < organizations.size(); ++i) organizations[i] = static_cast<std::int64_t>(i + 1);
    portal.page_cache().organizations_changed(organizations);
    if (ctx.json()) {
      print_json({{"organizations", r.organizations},
                  {"campaigns", r.campaigns},
                  {"deleted", r.deleted},
                  {"seconds", r.seconds}});
    } else {
      std::cout << "seeded " << r.organizations << " organizations and " << r.campaigns << " campaigns ("
                << r.deleted << " deleted) in " << r.seconds << " s\n";
    }
  });
}

}  // namespace promptsales::app
