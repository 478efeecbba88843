#pragma once
/// Shared pieces of the end-to-end API tests (tests/integration/api): a
/// seeded installation, reading a server's metrics, and polling.

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <thread>

#include "serve_process.hpp"
#include "test_env.hpp"

namespace promptsales::test {

/// A migrated installation loaded with `promptsales seed --organizations N
/// --campaigns-per-org M` (organization ids 1..N). Seeding runs without
/// Redis, so it touches no shared cache.
class SeededInstallation {
 public:
  explicit SeededInstallation(int organizations = 5, int campaigns_per_org = 30);
  SeededInstallation(const SeededInstallation&) = delete;
  SeededInstallation& operator=(const SeededInstallation&) = delete;

  const std::string& control_url() const { return installation_.control_url(); }
  std::string ads_url() const { return installation_.ads_url(); }
  /// PROMPTSALES_DATABASE_URL, PROMPTSALES_REDIS_URL = `redis_url` (empty:
  /// no Redis), then `overrides`.
  EnvMap env(const std::string& redis_url = {}, const EnvMap& overrides = {}) const;

 private:
  TestInstallation installation_;
};

/// The value of `name` (summed over samples whose labels include `labels`)
/// in the server's /metrics; FAILs when no sample matches.
double scrape_metric(const ServeProcess& server, const std::string& name,
                     const std::map<std::string, std::string>& labels = {});

/// promptsales_cache_hits_total{tier="local"}.
double scrape_local_hits(const ServeProcess& server);

/// Polls `condition` every `poll` until it holds or `timeout` ends.
template <class Condition>
bool poll_until(Condition condition, std::chrono::milliseconds timeout,
                std::chrono::milliseconds poll = std::chrono::milliseconds(20)) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(poll);
  }
}

/// Waits until `server` answers a repeated page from its in-process tier
/// (with Redis, that needs its invalidation subscriber connected: until then
/// the local tier is skipped). Uses a page of a nonexistent organization
/// (`organizationId=<probe_org>`) that tests never ask for otherwise.
/// FAILs after `timeout`.
void wait_for_local_cache(const ServeProcess& server, std::int64_t probe_org = 999'999,
                          std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace promptsales::test
