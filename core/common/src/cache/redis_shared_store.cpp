#include "promptsales/common/cache/redis_shared_store.hpp"

#include "promptsales/common/cache/redis_client.hpp"

namespace promptsales::cache {

RedisResult<std::optional<std::string>> RedisSharedStore::get(const std::string& key) { return redis_.get(key); }

RedisResult<void> RedisSharedStore::set(const std::string& key, const std::string& value, std::chrono::seconds ttl) {
  return redis_.set_ex(key, value, ttl);
}

}  // namespace promptsales::cache
