#pragma once
// hiredis behind a small C++ surface: owned contexts and replies, opening an
// authenticated connection, running one command. Private to the cache
// library: public headers never include hiredis.

#include <chrono>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include <hiredis/hiredis.h>
#include <tl/expected.hpp>

#include "promptsales/common/cache/redis_reply.hpp"
#include "promptsales/common/cache/redis_url.hpp"

namespace promptsales::cache {

struct ContextDeleter {
  void operator()(redisContext* c) const noexcept { redisFree(c); }
};
using ContextPtr = std::unique_ptr<redisContext, ContextDeleter>;

struct ReplyDeleter {
  void operator()(redisReply* r) const noexcept { freeReplyObject(r); }
};
using ReplyPtr = std::unique_ptr<redisReply, ReplyDeleter>;

/// Connection settings shared by the pool and the subscriber.
struct ConnectSettings {
  std::chrono::milliseconds connect_timeout{200};
  std::chrono::milliseconds command_timeout{200};
  bool select_db = true;  ///< pub/sub ignores databases, so the subscriber skips SELECT
};

/// Connects with a timeout, sets the socket timeouts and TCP keepalive, then
/// AUTH and SELECT. Any failure is `unavailable`; the text never holds the password.
tl::expected<ContextPtr, RedisError> open_context(const RedisUrl& url, const ConnectSettings& settings);

/// Sends one command and reads its reply. On an I/O error the context is left
/// with `err` set and must be discarded.
RedisResult<RedisReply> run_command(redisContext& context, std::span<const std::string_view> argv);

/// Copies a hiredis reply.
RedisReply to_reply(const redisReply& reply);

}  // namespace promptsales::cache
