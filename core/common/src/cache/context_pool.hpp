#pragma once
// A bounded pool of hiredis contexts handed out as RAII leases. Contexts open
// lazily; a lease whose context broke drops it instead of returning it.

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <vector>

#include "hiredis_connection.hpp"
#include "promptsales/common/cache/cache_types.hpp"

namespace promptsales::cache {

class ContextPool {
 public:
  class Lease {
   public:
    Lease(ContextPool& pool, ContextPtr context, std::uint64_t generation)
        : pool_(&pool), context_(std::move(context)), generation_(generation) {}
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();

    redisContext& context() noexcept { return *context_; }

   private:
    ContextPool* pool_;
    ContextPtr context_;
    std::uint64_t generation_;
  };

  ContextPool(RedisUrl url, std::size_t size, ConnectSettings settings);

  /// An idle context, a new one while below the size, or one freed within the
  /// command timeout; `pool_exhausted` otherwise, `unavailable` if connecting failed.
  tl::expected<Lease, RedisError> acquire();
  /// Closes idle contexts and marks leased ones to be closed on return: after
  /// an outage they are likely dead, and each would fail one more call.
  void drop_all();

 private:
  void give_back(ContextPtr context, std::uint64_t generation);

  const RedisUrl url_;
  const std::size_t size_;
  const ConnectSettings settings_;
  std::mutex mutex_;
  std::condition_variable freed_;
  std::vector<ContextPtr> idle_;
  std::size_t open_ = 0;
  std::uint64_t generation_ = 0;
};

}  // namespace promptsales::cache
