#include "promptsales/sales/page_cache.hpp"

#include "promptsales/common/cache/redis_shared_store.hpp"
#include "promptsales/common/cache/redis_url.hpp"
#include "promptsales/common/errors.hpp"
#include "promptsales/common/logging.hpp"

namespace promptsales::sales {

PageCache::PageCache(const Config& config) {
  const std::string& url = config.str("redis_url");
  if (!url.empty()) {
    cache::RedisClientOptions options;
    try {
      options.url = cache::parse_redis_url(url);
    } catch (const std::invalid_argument& e) {
      throw ConfigError(std::string("redis_url: ") + e.what());
    }
    if (const std::string& file = config.str("redis_password_file"); !file.empty()) {
      try {
        cache::apply_password_file(options.url, file);  // the file wins over a password in the URL
      } catch (const std::invalid_argument& e) {
        throw ConfigError(e.what());
      }
    }
    const auto timeout = config.millis("redis_timeout_ms");
    options.connect_timeout = timeout;
    options.command_timeout = timeout;
    redis_ = std::make_unique<cache::RedisClient>(std::move(options));
    shared_ = std::make_unique<cache::RedisSharedStore>(*redis_);
    generations_ = std::make_unique<cache::GenerationTracker>(*redis_);
  } else {
    logging::get("cache")->warn("redis_url is empty: no shared cache tier and no cross-process invalidation");
    generations_ = std::make_unique<cache::GenerationTracker>();
  }
  cache::CacheOptions options;
  options.enabled = config.boolean("cache_enabled");
  options.ttl = std::chrono::seconds(config.integer("cache_ttl_seconds", 1, 86400));
  options.local.max_entries = static_cast<std::size_t>(config.integer("cache_local_max_entries", 0, 10'000'000));
  options.local.max_bytes = static_cast<std::size_t>(config.integer("cache_local_max_bytes", 0, 1LL << 40));
  pages_ = std::make_unique<cache::TwoTierCache>(std::move(options), *generations_, shared_.get());
}

PageCache::~PageCache() = default;

bool PageCache::organization_changed(std::int64_t id) { return organizations_changed({id}); }

bool PageCache::organizations_changed(const std::vector<std::int64_t>& ids) {
  std::vector<std::string> scopes;
  scopes.reserve(ids.size() + 1);
  for (auto id : ids) scopes.push_back(scope_of(id));
  scopes.emplace_back(kAllScope);
  const bool reached = generations_->bump(scopes);
  if (!reached) {
    logging::get("cache")->warn(
        "could not reach Redis to announce a campaign change; other processes may serve cached pages until it is "
        "back (this process retries while it runs)");
  }
  return reached;
}

}  // namespace promptsales::sales
