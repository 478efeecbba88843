#pragma once
// The thread that listens for generation bumps on a Redis pub/sub channel
// with its own connection, reconnecting with backoff, and tells its owner
// when the subscription starts, when it is lost, and what arrives.

#include <atomic>
#include <functional>
#include <string>
#include <string_view>
#include <thread>

#include "hiredis_connection.hpp"
#include "promptsales/common/cache/health_gate.hpp"

namespace promptsales::cache {

class GenerationSubscriber {
 public:
  struct Settings {
    RedisUrl url;
    ConnectSettings connect;
    std::string channel;
    BackoffPolicy reconnect;
    std::chrono::milliseconds ping_interval{1000};
    std::chrono::milliseconds tick{100};
  };
  // All run on the subscriber thread.
  struct Callbacks {
    std::function<void()> on_subscribed;  ///< subscribed; messages from now on will arrive
    std::function<void()> on_lost;        ///< messages may be missed from now on
    std::function<void(std::string_view)> on_message;
    std::function<void()> on_tick;        ///< about every `tick`, connected or not
  };

  /// Starts the thread.
  GenerationSubscriber(Settings settings, Callbacks callbacks);
  /// Stops and joins the thread.
  ~GenerationSubscriber();
  GenerationSubscriber(const GenerationSubscriber&) = delete;
  GenerationSubscriber& operator=(const GenerationSubscriber&) = delete;

 private:
  void run();
  bool subscribe(redisContext& context, std::string& error);
  /// Returns the reason the session ended, empty when stopping.
  std::string listen(redisContext& context);
  void tick_if_due();
  /// Sleeps unless stopped first; false when stopping.
  bool sleep_for(std::chrono::milliseconds duration);
  bool stopping() const noexcept { return stopping_.load(std::memory_order_acquire); }

  Settings settings_;
  Callbacks callbacks_;
  int wake_fd_ = -1;
  std::atomic<bool> stopping_{false};
  CacheClock::time_point last_tick_{};
  std::thread thread_;
};

}  // namespace promptsales::cache
