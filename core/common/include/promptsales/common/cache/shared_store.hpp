#pragma once
/// The shared tier of TwoTierCache, as an interface so tests can use a fake.

#include <chrono>
#include <optional>
#include <string>

#include "promptsales/common/cache/redis_reply.hpp"

namespace promptsales::cache {

/// Bytes by key with a TTL, shared by every process. Never throws for store trouble.
class SharedStore {
 public:
  virtual ~SharedStore() = default;
  /// The value, nullopt on a miss, or an error when the store cannot answer.
  virtual RedisResult<std::optional<std::string>> get(const std::string& key) = 0;
  /// Stores the value for `ttl`.
  virtual RedisResult<void> set(const std::string& key, const std::string& value, std::chrono::seconds ttl) = 0;
};

}  // namespace promptsales::cache
