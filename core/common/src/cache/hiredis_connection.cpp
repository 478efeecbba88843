#include "hiredis_connection.hpp"

#include <sys/time.h>

#include <vector>

namespace promptsales::cache {
namespace {

timeval to_timeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<decltype(tv.tv_sec)>(ms.count() / 1000);
  tv.tv_usec = static_cast<decltype(tv.tv_usec)>((ms.count() % 1000) * 1000);
  return tv;
}

std::string context_error(const redisContext& c) {
  const std::string text = c.errstr[0] != '\0' ? std::string(c.errstr) : std::string("connection error");
  // A socket timeout surfaces as EAGAIN's text; name it for what it is.
  if (c.err == REDIS_ERR_IO && text.find("temporarily unavailable") != std::string::npos) {
    return "timed out";
  }
  return text;
}

}  // namespace

RedisReply to_reply(const redisReply& reply) {
  RedisReply out;
  switch (reply.type) {
    case REDIS_REPLY_STRING:
      out.type = RedisReply::Type::string;
      out.str.assign(reply.str, reply.len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = RedisReply::Type::status;
      out.str.assign(reply.str, reply.len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = RedisReply::Type::error;
      out.str.assign(reply.str, reply.len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::integer;
      out.integer = reply.integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::array;
      out.elements.reserve(reply.elements);
      for (std::size_t i = 0; i < reply.elements; ++i) {
        out.elements.push_back(to_reply(*reply.element[i]));
      }
      break;
    default:
      out.type = RedisReply::Type::nil;
      break;
  }
  return out;
}

RedisResult<RedisReply> run_command(redisContext& context, std::span<const std::string_view> argv) {
  std::vector<const char*> args;
  std::vector<std::size_t> lengths;
  args.reserve(argv.size());
  lengths.reserve(argv.size());
  for (const auto& a : argv) {
    args.push_back(a.data());
    lengths.push_back(a.size());
  }
  ReplyPtr reply(static_cast<redisReply*>(
      redisCommandArgv(&context, static_cast<int>(args.size()), args.data(), lengths.data())));
  if (!reply) {
    return tl::unexpected(RedisError{RedisErrorKind::io, context_error(context)});
  }
  if (reply->type == REDIS_REPLY_ERROR) {
    return tl::unexpected(RedisError{RedisErrorKind::server, std::string(reply->str, reply->len)});
  }
  return to_reply(*reply);
}

tl::expected<ContextPtr, RedisError> open_context(const RedisUrl& url, const ConnectSettings& settings) {
  ContextPtr context(redisConnectWithTimeout(url.host.c_str(), url.port, to_timeval(settings.connect_timeout)));
  if (!context) {
    return tl::unexpected(RedisError{RedisErrorKind::unavailable, "cannot allocate a Redis context"});
  }
  if (context->err != 0) {
    return tl::unexpected(RedisError{RedisErrorKind::unavailable, "connect: " + context_error(*context)});
  }
  if (redisSetTimeout(context.get(), to_timeval(settings.command_timeout)) != REDIS_OK) {
    return tl::unexpected(RedisError{RedisErrorKind::unavailable, "set timeout: " + context_error(*context)});
  }
  // Keepalive lets the kernel notice a peer that vanished without a FIN.
  redisEnableKeepAlive(context.get());

  if (!url.password.empty()) {
    std::vector<std::string_view> auth{"AUTH"};
    if (!url.user.empty()) {
      auth.push_back(url.user);
    }
    auth.push_back(url.password);
    auto reply = run_command(*context, auth);
    if (!reply) {
      // Redis's message ("WRONGPASS ...") never echoes the password.
      return tl::unexpected(RedisError{RedisErrorKind::unavailable, "AUTH: " + reply.error().message});
    }
  } else {
    // Without a password, a Redis that has one accepts the connection and
    // then refuses every command with NOAUTH. One PING per new connection
    // turns that into a clear "unavailable" here, logged once by the caller,
    // instead of a failure on each command.
    const std::string_view ping[] = {"PING"};
    auto reply = run_command(*context, ping);
    if (!reply) {
      const std::string& message = reply.error().message;
      if (message.rfind("NOAUTH", 0) == 0) {
        return tl::unexpected(RedisError{RedisErrorKind::unavailable,
                                         "Redis requires a password (NOAUTH) and none is configured: set it in "
                                         "redis_url (redis://:PASSWORD@host:port/db) or redis_password_file"});
      }
      return tl::unexpected(RedisError{RedisErrorKind::unavailable, "PING: " + message});
    }
  }
  if (settings.select_db && url.db != 0) {
    const std::string db = std::to_string(url.db);
    const std::string_view select[] = {"SELECT", db};
    auto reply = run_command(*context, select);
    if (!reply) {
      return tl::unexpected(RedisError{RedisErrorKind::unavailable, "SELECT " + db + ": " + reply.error().message});
    }
  }
  return context;
}

}  // namespace promptsales::cache
