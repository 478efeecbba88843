#include "api_fixture.hpp"

#include <catch2/catch.hpp>

#include "cli_output.hpp"
#include "prometheus_text.hpp"

namespace promptsales::test {

SeededInstallation::SeededInstallation(int organizations, int campaigns_per_org) {
  const auto r = run_promptsales({"seed", "--organizations", std::to_string(organizations), "--campaigns-per-org",
                                  std::to_string(campaigns_per_org)},
                                 env());
  INFO(describe(r));
  REQUIRE(r.exit_code == 0);
}

EnvMap SeededInstallation::env(const std::string& redis_url, const EnvMap& overrides) const {
  EnvMap e = installation_.env();
  e["PROMPTSALES_REDIS_URL"] = redis_url;
  for (const auto& [k, v] : overrides) e[k] = v;
  return e;
}

double scrape_metric(const ServeProcess& server, const std::string& name,
                     const std::map<std::string, std::string>& labels) {
  const std::string text = server.metrics();
  const auto value = metric_value(text, name, labels);
  if (!value) {
    std::string wanted = name + "{";
    for (const auto& [k, v] : labels) wanted += k + "=\"" + v + "\",";
    FAIL("no sample " << wanted << "} in /metrics:\n" << text);
  }
  return *value;
}

double scrape_local_hits(const ServeProcess& server) {
  return scrape_metric(server, "promptsales_cache_hits_total", {{"tier", "local"}});
}

void wait_for_local_cache(const ServeProcess& server, std::int64_t probe_org, std::chrono::milliseconds timeout) {
  const std::string page = "/api/v1/campaigns?organizationId=" + std::to_string(probe_org) + "&limit=1";
  std::string last;
  const bool ok = poll_until(
      [&] {
        const auto first = server.get(page);
        const double before = scrape_local_hits(server);
        const auto second = server.get(page);
        last = second.describe();
        return first.status == 200 && second.status == 200 && scrape_local_hits(server) > before;
      },
      timeout, std::chrono::milliseconds(50));
  if (!ok) {
    FAIL("the server did not serve a repeated page from its in-process cache within " << timeout.count()
                                                                                      << " ms; last answer:\n"
                                                                                      << last << "\n--- log ---\n"
                                                                                      << server.log());
  }
}

}  // namespace promptsales::test
