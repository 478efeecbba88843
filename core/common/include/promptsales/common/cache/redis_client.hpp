#pragma once
/// A small thread-safe Redis client: a pool of synchronous connections, fixed
/// timeouts, and a fail-fast gate so that a dead Redis never adds latency to
/// every request. No method throws because of Redis; they return RedisResult.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "promptsales/common/cache/health_gate.hpp"
#include "promptsales/common/cache/redis_reply.hpp"
#include "promptsales/common/cache/redis_url.hpp"

namespace promptsales::cache {

/// Settings of a RedisClient.
struct RedisClientOptions {
  RedisUrl url;
  std::size_t pool_size = 4;                        ///< connections opened at most
  std::chrono::milliseconds connect_timeout{200};
  std::chrono::milliseconds command_timeout{200};   ///< also bounds the wait for a free connection
  BackoffPolicy backoff{};                          ///< fail-fast interval after a failure
};

/// Thread-safe client. Connections are opened lazily, authenticated (AUTH) and
/// switched to the URL's database (SELECT) before first use.
class RedisClient {
 public:
  /// Opens no connection yet: the first command does.
  explicit RedisClient(RedisClientOptions options);
  /// Closes every connection.
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  /// Runs one command given as its arguments, e.g. {"EXPIRE", key, "10"}.
  RedisResult<RedisReply> command(const std::vector<std::string_view>& argv);

  /// GET: the value, or nullopt when the key does not exist.
  RedisResult<std::optional<std::string>> get(std::string_view key);
  /// SET key value EX ttl.
  RedisResult<void> set_ex(std::string_view key, std::string_view value, std::chrono::seconds ttl);
  /// MGET: one entry per key, nullopt where a key does not exist.
  RedisResult<std::vector<std::optional<std::string>>> mget(std::span<const std::string> keys);
  /// INCR: the value after the increment.
  RedisResult<std::int64_t> incr(std::string_view key);
  /// PUBLISH: the number of subscribers that received the message.
  RedisResult<std::int64_t> publish(std::string_view channel, std::string_view message);
  /// DEL: the number of keys removed.
  RedisResult<std::int64_t> del(std::span<const std::string> keys);
  /// PING.
  RedisResult<void> ping();

  /// False from a failure until a later command succeeds.
  bool healthy() const noexcept;
  /// Ends the fail-fast interval early, for a caller that has just seen Redis
  /// answer on another connection (the invalidation subscriber).
  void reset_backoff() noexcept;
  /// The settings this client was built with (the URL holds the password).
  const RedisClientOptions& options() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace promptsales::cache
