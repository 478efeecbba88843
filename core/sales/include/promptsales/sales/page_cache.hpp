#pragma once
/// The cache of the portal's campaign pages in one process: the Redis client
/// (optional), the generation tracker that carries invalidations across
/// processes, and the two-tier cache of serialized pages.
///
/// A page filtered by organization depends on scope "org:<id>"; a page across
/// organizations on scope "all". A write to organization N bumps both.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "promptsales/common/cache/generation_tracker.hpp"
#include "promptsales/common/cache/redis_client.hpp"
#include "promptsales/common/cache/two_tier_cache.hpp"
#include "promptsales/common/config.hpp"

namespace promptsales::sales {

class PageCache {
 public:
  /// Reads redis_url (empty: no Redis), redis_timeout_ms, cache_enabled,
  /// cache_ttl_seconds and the local tier bounds from `config`.
  explicit PageCache(const Config& config);
  ~PageCache();

  cache::TwoTierCache& pages() { return *pages_; }
  cache::GenerationTracker& generations() { return *generations_; }
  /// Null when no Redis is configured.
  cache::RedisClient* redis() { return redis_.get(); }

  /// After a write to organization `id`'s campaigns. Never throws; returns
  /// false when Redis did not take the bump now (other processes learn of it
  /// when Redis is back, this one at once).
  bool organization_changed(std::int64_t id);
  /// After bulk changes to these organizations (and so to "all").
  bool organizations_changed(const std::vector<std::int64_t>& ids);

  static std::string scope_of(std::int64_t organization_id);
  static constexpr const char* kAllScope = "all";

 private:
  std::unique_ptr<cache::RedisClient> redis_;
  std::unique_ptr<cache::SharedStore> shared_;
  std::unique_ptr<cache::GenerationTracker> generations_;
  std::unique_ptr<cache::TwoTierCache> pages_;
};

}  // namespace promptsales::sales
