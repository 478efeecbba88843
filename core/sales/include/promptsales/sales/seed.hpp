#pragma once
/// Demo and benchmark data: organizations in the control database and their
/// campaigns in the PromptAds database, loaded with COPY.

#include <cstdint>
#include <functional>

#include "promptsales/sales/databases.hpp"

namespace promptsales::sales {

struct SeedOptions {
  int organizations = 10;
  int campaigns_per_org = 100;
  std::uint64_t seed = 42;
  /// Wipe existing organizations and campaigns first. Without it, seeding a
  /// database that holds data is refused (Conflict).
  bool replace = false;
  /// Called every few thousand rows with (done, total).
  std::function<void(std::size_t, std::size_t)> progress;
};

struct SeedResult {
  /// Highest organization id before and after: pages of 1..N may be cached.
  std::int64_t max_organization_id = 0;
  std::size_t organizations = 0;
  std::size_t campaigns = 0;
  std::size_t deleted = 0;
  double seconds = 0;
};

SeedResult seed_demo_data(Databases& databases, const SeedOptions& options);

}  // namespace promptsales::sales
