#pragma once
/// Single flight: concurrent requests for one key run the producer once and
/// all receive its result or its exception.

#include <atomic>
#include <cstdint>
#include <exception>
#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "promptsales/common/cache/cache_types.hpp"

namespace promptsales::cache {

/// Thread-safe. Waiters block until the leader's producer returns, so use it
/// only off the I/O threads.
class SingleFlight {
 public:
  /// The result of run(): the bytes, and whether this caller waited for another's call.
  struct Outcome {
    CachedBytes value;
    bool waited = false;
  };

  /// Calls `produce` unless a call for `key` is already running, in which case
  /// waits for that call and shares its result (or rethrows its exception). The
  /// key is released before waiters wake, so the next call after a failure
  /// runs the producer again.
  Outcome run(const std::string& key, const std::function<CachedBytes()>& produce);
  /// Keys with a call running now.
  std::size_t in_flight() const;
  /// Callers that joined another's call, counted as they begin to wait.
  std::uint64_t waits() const noexcept { return waits_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> waits_{0};
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::shared_future<CachedBytes>> calls_;
};

/// Single flight without blocking, for event loops: the first caller for a
/// key leads (starts the load and later calls finish()); the others register
/// a callback and return at once. Thread-safe.
class AsyncSingleFlight {
 public:
  /// Receives the leader's bytes, or its error (then `value` is null).
  using Done = std::function<void(const CachedBytes& value, std::exception_ptr error)>;

  /// True when the caller leads: it must call finish(key, ...) exactly once,
  /// which also calls its own `done`. False: `done` runs at the leader's finish().
  bool join(const std::string& key, Done done);
  /// Releases the key, then calls every registered callback (on this
  /// thread; each callback must be cheap and must not throw). A caller
  /// arriving after the release starts a new load, as with SingleFlight.
  void finish(const std::string& key, const CachedBytes& value, std::exception_ptr error);
  /// Callers that joined another's load.
  std::uint64_t waits() const noexcept { return waits_.load(std::memory_order_relaxed); }
  /// Keys with a load running now.
  std::size_t in_flight() const;

 private:
  std::atomic<std::uint64_t> waits_{0};
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::vector<Done>> calls_;
};

}  // namespace promptsales::cache
