#include "promptsales/common/cache/redis_client.hpp"

#include "cache_log.hpp"
#include "context_pool.hpp"

namespace promptsales::cache {
namespace {

RedisError unexpected_shape(std::string_view command) {
  return RedisError{RedisErrorKind::unexpected, "unexpected reply to " + std::string(command)};
}

}  // namespace

struct RedisClient::Impl {
  explicit Impl(RedisClientOptions o)
      : options(std::move(o)),
        gate(options.backoff),
        pool(options.url, options.pool_size,
             ConnectSettings{options.connect_timeout, options.command_timeout, /*select_db=*/true}) {}

  RedisResult<RedisReply> run(std::span<const std::string_view> argv) {
    if (!gate.allow()) {
      return tl::unexpected(RedisError{RedisErrorKind::unavailable, "Redis is unavailable (failing fast)"});
    }
    auto lease = pool.acquire();
    if (!lease) {
      // A busy pool says nothing about Redis's health.
      if (lease.error().kind != RedisErrorKind::pool_exhausted) {
        note_failure(lease.error());
      }
      return tl::unexpected(lease.error());
    }
    auto reply = run_command(lease->context(), argv);
    if (!reply && reply.error().kind == RedisErrorKind::io) {
      note_failure(reply.error());
    } else {
      note_success();
    }
    return reply;
  }

  void note_failure(const RedisError& error) {
    if (gate.failed()) {
      pool.drop_all();
      cache_log()->warn("Redis {} unreachable: {}; failing fast for {} ms between retries", options.url.redacted(),
                        error.message, gate.current_delay().count());
    }
  }

  void note_success() {
    if (gate.succeeded()) {
      cache_log()->info("Redis {} reachable again", options.url.redacted());
    }
  }

  RedisClientOptions options;
  HealthGate gate;
  ContextPool pool;
};

RedisClient::RedisClient(RedisClientOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

RedisClient::~RedisClient() = default;

RedisResult<RedisReply> RedisClient::command(const std::vector<std::string_view>& argv) {
  if (argv.empty()) {
    return tl::unexpected(RedisError{RedisErrorKind::unexpected, "empty command"});
  }
  return impl_->run(argv);
}

RedisResult<std::optional<std::string>> RedisClient::get(std::string_view key) {
  const std::string_view argv[] = {"GET", key};
  auto reply = impl_->run(argv);
  if (!reply) {
    return tl::unexpected(reply.error());
  }
  if (reply->type == RedisReply::Type::nil) {
    return std::optional<std::string>();
  }
  if (reply->type != RedisReply::Type::string) {
    return tl::unexpected(unexpected_shape("GET"));
  }
  return std::optional<std::string>(std::move(reply->str));
}

RedisResult<void> RedisClient::set_ex(std::string_view key, std::string_view value, std::chrono::seconds ttl) {
  const std::string seconds = std::to_string(ttl.count() > 0 ? ttl.count() : 1);
  const std::string_view argv[] = {"SET", key, value, "EX", seconds};
  auto reply = impl_->run(argv);
  if (!reply) {
    return tl::unexpected(reply.error());
  }
  if (reply->type != RedisReply::Type::status) {
    return tl::unexpected(unexpected_shape("SET"));
  }
  return {};
}

RedisResult<std::vector<std::optional<std::string>>> RedisClient::mget(std::span<const std::string> keys) {
  std::vector<std::optional<std::string>> values;
  if (keys.empty()) {
    return values;
  }
  std::vector<std::string_view> argv{"MGET"};
  argv.insert(argv.end(), keys.begin(), keys.end());
  auto reply = impl_->run(argv);
  if (!reply) {
    return tl::unexpected(reply.error());
  }
  if (reply->type != RedisReply::Type::array || reply->elements.size() != keys.size()) {
    return tl::unexpected(unexpected_shape("MGET"));
  }
  values.reserve(keys.size());
  for (auto& element : reply->elements) {
    if (element.type == RedisReply::Type::string) {
      values.emplace_back(std::move(element.str));
    } else {
      values.emplace_back();
    }
  }
  return values;
}

RedisResult<std::int64_t> RedisClient::incr(std::string_view key) {
  const std::string_view argv[] = {"INCR", key};
  auto reply = impl_->run(argv);
  if (!reply) {
    return tl::unexpected(reply.error());
  }
  if (reply->type != RedisReply::Type::integer) {
    return tl::unexpected(unexpected_shape("INCR"));
  }
  return reply->integer;
}

RedisResult<std::int64_t> RedisClient::publish(std::string_view channel, std::string_view message) {
  const std::string_view argv[] = {"PUBLISH", channel, message};
  auto reply = impl_->run(argv);
  if (!reply) {
    return tl::unexpected(reply.error());
  }
  if (reply->type != RedisReply::Type::integer) {
    return tl::unexpected(unexpected_shape("PUBLISH"));
  }
  return reply->integer;
}

RedisResult<std::int64_t> RedisClient::del(std::span<const std::string> keys) {
  if (keys.empty()) {
    return std::int64_t{0};
  }
  std::vector<std::string_view> argv{"DEL"};
  argv.insert(argv.end(), keys.begin(), keys.end());
  auto reply = impl_->run(argv);
  if (!reply) {
    return tl::unexpected(reply.error());
  }
  if (reply->type != RedisReply::Type::integer) {
    return tl::unexpected(unexpected_shape("DEL"));
  }
  return reply->integer;
}

RedisResult<void> RedisClient::ping() {
  const std::string_view argv[] = {"PING"};
  auto reply = impl_->run(argv);
  if (!reply) {
    return tl::unexpected(reply.error());
  }
  if (reply->type != RedisReply::Type::status) {
    return tl::unexpected(unexpected_shape("PING"));
  }
  return {};
}

bool RedisClient::healthy() const noexcept { return impl_->gate.healthy(); }

void RedisClient::reset_backoff() noexcept { impl_->gate.reset(); }

const RedisClientOptions& RedisClient::options() const noexcept { return impl_->options; }

}  // namespace promptsales::cache
