#include "generation_subscriber.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <optional>
#include <system_error>

#include "cache_log.hpp"

namespace promptsales::cache {
namespace {

int poll_timeout_ms(std::chrono::milliseconds duration) {
  return static_cast<int>(std::clamp<std::int64_t>(duration.count(), 0, 60'000));
}

}  // namespace

GenerationSubscriber::GenerationSubscriber(Settings settings, Callbacks callbacks)
    : settings_(std::move(settings)), callbacks_(std::move(callbacks)) {
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd_ < 0) {
    throw std::system_error(errno, std::generic_category(), "eventfd for the cache subscriber");
  }
  thread_ = std::thread([this] { run(); });
}

GenerationSubscriber::~GenerationSubscriber() {
  stopping_.store(true, std::memory_order_release);
  const std::uint64_t one = 1;
  [[maybe_unused]] const auto written = ::write(wake_fd_, &one, sizeof one);
  if (thread_.joinable()) {
    thread_.join();
  }
  ::close(wake_fd_);
}

bool GenerationSubscriber::sleep_for(std::chrono::milliseconds duration) {
  const auto until = CacheClock::now() + duration;
  while (!stopping()) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - CacheClock::now());
    if (left.count() <= 0) {
      return true;
    }
    pollfd wake{wake_fd_, POLLIN, 0};
    ::poll(&wake, 1, poll_timeout_ms(std::min(left, settings_.tick)));
    tick_if_due();
  }
  return false;
}

void GenerationSubscriber::tick_if_due() {
  const auto now = CacheClock::now();
  if (now - last_tick_ >= settings_.tick) {
    last_tick_ = now;
    callbacks_.on_tick();
  }
}

bool GenerationSubscriber::subscribe(redisContext& context, std::string& error) {
  const std::string_view argv[] = {"SUBSCRIBE", settings_.channel};
  auto reply = run_command(context, argv);
  if (!reply) {
    error = reply.error().message;
    return false;
  }
  if (reply->type != RedisReply::Type::array || reply->elements.empty() || reply->elements[0].str != "subscribe") {
    error = "unexpected reply to SUBSCRIBE";
    return false;
  }
  return true;
}

std::string GenerationSubscriber::listen(redisContext& context) {
  auto last_heard = CacheClock::now();
  std::optional<CacheClock::time_point> ping_sent;
  while (!stopping()) {
    pollfd fds[2] = {{context.fd, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    const int ready = ::poll(fds, 2, poll_timeout_ms(settings_.tick));
    if (ready < 0 && errno != EINTR) {
      return "poll failed";
    }
    if ((fds[1].revents & POLLIN) != 0) {
      return {};
    }
    if ((fds[0].revents & (POLLIN | POLLERR | POLLHUP)) != 0) {
      // The socket is readable, so this read does not wait.
      if (redisBufferRead(&context) != REDIS_OK) {
        return context.errstr[0] != '\0' ? context.errstr : "read failed";
      }
      for (;;) {
        void* raw = nullptr;
        if (redisGetReplyFromReader(&context, &raw) != REDIS_OK) {
          return "protocol error";
        }
        if (raw == nullptr) {
          break;
        }
        const ReplyPtr reply(static_cast<redisReply*>(raw));
        if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 3 &&
            std::string_view(reply->element[0]->str, reply->element[0]->len) == "message") {
          callbacks_.on_message(std::string_view(reply->element[2]->str, reply->element[2]->len));
        }
        // Anything else is a PING's "pong" or a subscription confirmation.
      }
      last_heard = CacheClock::now();
      ping_sent.reset();
    }
    tick_if_due();

    // A connection can die without a FIN (a partition, a frozen host). A ping
    // on a quiet connection bounds how long that can go unnoticed, and with it
    // how long missed bumps could leave the in-process tier stale.
    const auto now = CacheClock::now();
    if (ping_sent && now - *ping_sent >= settings_.ping_interval) {
      return "no answer to PING";
    }
    if (!ping_sent && now - last_heard >= settings_.ping_interval) {
      int done = 0;
      if (redisAppendCommand(&context, "PING") != REDIS_OK) {
        return "cannot send PING";
      }
      while (done == 0) {
        if (redisBufferWrite(&context, &done) != REDIS_OK) {
          return context.errstr[0] != '\0' ? context.errstr : "write failed";
        }
      }
      ping_sent = now;
    }
  }
  return {};
}

void GenerationSubscriber::run() {
  auto delay = settings_.reconnect.initial;
  bool was_connected = true;  // so that the first failure is logged
  while (!stopping()) {
    std::string error;
    auto context = open_context(settings_.url, settings_.connect);
    if (!context) {
      error = context.error().message;
    } else if (subscribe(**context, error)) {
      delay = settings_.reconnect.initial;
      was_connected = true;
      callbacks_.on_subscribed();
      cache_log()->info("cache invalidation subscriber listening on {}", settings_.url.redacted());
      error = listen(**context);
      callbacks_.on_lost();
      if (stopping()) {
        break;
      }
      cache_log()->warn("cache invalidation subscriber lost {}: {}; in-process cache tier off until it reconnects",
                        settings_.url.redacted(), error);
      was_connected = false;
      // Reconnect at once: most losses are a restart or a dropped socket.
      continue;
    }
    if (was_connected) {
      cache_log()->warn("cache invalidation subscriber cannot reach {}: {}; retrying with backoff",
                        settings_.url.redacted(), error);
      was_connected = false;
    } else {
      cache_log()->debug("cache invalidation subscriber still cannot reach {}: {}", settings_.url.redacted(), error);
    }
    if (!sleep_for(delay)) {
      break;
    }
    delay = std::min(delay * 2, settings_.reconnect.max);
  }
}

}  // namespace promptsales::cache
