#include "promptsales/common/cache/single_flight.hpp"

namespace promptsales::cache {

SingleFlight::Outcome SingleFlight::run(const std::string& key, const std::function<CachedBytes()>& produce) {
  std::promise<CachedBytes> promise;
  {
    std::unique_lock lock(mutex_);
    if (const auto it = calls_.find(key); it != calls_.end()) {
      std::shared_future<CachedBytes> call = it->second;
      lock.unlock();
      waits_.fetch_add(1, std::memory_order_relaxed);
      return Outcome{call.get(), true};
    }
    calls_.emplace(key, promise.get_future().share());
  }
  // Release the key before waking the waiters: a caller arriving after a
  // failure must start a new call rather than receive a stale exception.
  const auto release = [&] {
    std::lock_guard lock(mutex_);
    calls_.erase(key);
  };
  CachedBytes value;
  try {
    value = produce();
  } catch (...) {
    release();
    promise.set_exception(std::current_exception());
    throw;
  }
  release();
  promise.set_value(value);
  return Outcome{std::move(value), false};
}

std::size_t SingleFlight::in_flight() const {
  std::lock_guard lock(mutex_);
  return calls_.size();
}

bool AsyncSingleFlight::join(const std::string& key, Done done) {
  std::lock_guard lock(mutex_);
  auto [it, inserted] = calls_.try_emplace(key);
  it->second.push_back(std::move(done));
  if (!inserted) waits_.fetch_add(1, std::memory_order_relaxed);
  return inserted;
}

void AsyncSingleFlight::finish(const std::string& key, const CachedBytes& value, std::exception_ptr error) {
  std::vector<Done> waiters;
  {
    std::lock_guard lock(mutex_);
    const auto it = calls_.find(key);
    if (it == calls_.end()) return;
    waiters = std::move(it->second);
    calls_.erase(it);
  }
  for (auto& done : waiters) {
    try {
      done(value, error);
    } catch (...) {
      // A waiter's failure must not keep the others from their answer.
    }
  }
}

std::size_t AsyncSingleFlight::in_flight() const {
  std::lock_guard lock(mutex_);
  return calls_.size();
}

}  // namespace promptsales::cache
