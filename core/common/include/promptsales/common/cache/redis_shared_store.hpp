#pragma once
/// SharedStore on a RedisClient (GET / SET EX).

#include "promptsales/common/cache/shared_store.hpp"

namespace promptsales::cache {

class RedisClient;

/// Adapts a RedisClient, which must outlive it.
class RedisSharedStore final : public SharedStore {
 public:
  /// Uses `redis` for every call.
  explicit RedisSharedStore(RedisClient& redis) : redis_(redis) {}
  /// GET key.
  RedisResult<std::optional<std::string>> get(const std::string& key) override;
  /// SET key value EX ttl.
  RedisResult<void> set(const std::string& key, const std::string& value, std::chrono::seconds ttl) override;

 private:
  RedisClient& redis_;
};

}  // namespace promptsales::cache
