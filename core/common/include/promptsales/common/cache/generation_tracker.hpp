#pragma once
/// Invalidation by generations. A cached response depends on one scope
/// ("org:42", "all"); a write bumps its scopes' generations in Redis and
/// announces the bump on a pub/sub channel so every process learns of it.
/// Cache keys carry the generation, so a bump hides every older response.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "promptsales/common/cache/generation_view.hpp"
#include "promptsales/common/cache/health_gate.hpp"

namespace promptsales::cache {

class RedisClient;
class GenerationSubscriber;

/// Settings of a GenerationTracker.
struct GenerationTrackerOptions {
  /// Namespace of the generation keys (`<prefix>gen:<scope>`) and channel.
  std::string key_prefix = "promptsales:cache:";
  /// Delay between subscriber reconnect attempts.
  BackoffPolicy reconnect{std::chrono::milliseconds(100), std::chrono::milliseconds(2000)};
  /// A silent subscriber connection is pinged after this long and declared
  /// lost when the ping goes unanswered for as long again.
  std::chrono::milliseconds ping_interval{1000};
  /// How often the subscriber thread retries bumps that did not reach Redis.
  std::chrono::milliseconds retry_interval{100};
};

/// Thread-safe. With Redis, a subscriber thread (its own connection,
/// reconnecting with backoff) applies other processes' bumps; while it is
/// disconnected nothing is trusted, so callers skip their in-process tier.
class GenerationTracker {
 public:
  /// Without Redis: generations live in this process only and are always trusted.
  explicit GenerationTracker(GenerationTrackerOptions options = {});
  /// Shared through `redis` (which must outlive the tracker); starts the subscriber.
  GenerationTracker(RedisClient& redis, GenerationTrackerOptions options = {});
  /// Stops the subscriber thread.
  ~GenerationTracker();
  GenerationTracker(const GenerationTracker&) = delete;
  GenerationTracker& operator=(const GenerationTracker&) = delete;

  /// Fast path (never blocks on I/O): the scope's generation if known and
  /// trusted; nullopt sends the caller to load().
  std::optional<std::uint64_t> current(std::string_view scope) const;
  /// Slow path (may block on Redis for a command timeout): the scope's
  /// authoritative generation, remembered while trusted. Nullopt when it cannot
  /// be known (Redis unreachable, or a bump of this scope still owed to Redis):
  /// the caller must then bypass every cache tier for this scope.
  std::optional<std::uint64_t> load(std::string_view scope);
  /// Call after a write commits. Bumps each scope in Redis and announces it.
  /// Takes effect in this process at once; if Redis is unreachable the bumps
  /// are remembered and replayed when it is back. True when Redis took them now.
  /// Throws std::invalid_argument for an invalid scope name.
  bool bump(const std::vector<std::string>& scopes);

  /// The trust state now (see TrustEpoch).
  TrustEpoch epoch() const noexcept;
  /// True when generations are shared through Redis (load() may then block).
  bool shared_through_redis() const noexcept { return redis_ != nullptr; }
  /// True while the subscriber is connected (always, without Redis).
  bool trusted() const noexcept { return epoch().trusted; }
  /// See GenerationView::changes().
  std::uint64_t changes() const noexcept;
  /// Scopes whose bumps are still owed to Redis.
  std::size_t pending_bumps() const noexcept;
  /// Waits until trusted or the timeout ends; true when trusted. For start-up and tests.
  bool wait_until_trusted(std::chrono::milliseconds timeout) const;

 private:
  void replay_pending();
  void on_subscribed();
  void on_lost();
  void on_message(std::string_view message);
  std::string generation_key(std::string_view scope) const;

  GenerationTrackerOptions options_;
  RedisClient* redis_ = nullptr;
  GenerationView view_;
  std::string channel_;
  std::unique_ptr<GenerationSubscriber> subscriber_;
};

}  // namespace promptsales::cache
