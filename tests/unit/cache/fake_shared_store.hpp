#pragma once
// An in-memory SharedStore that can be switched "down".

#include <atomic>
#include <map>
#include <mutex>

#include "promptsales/common/cache/shared_store.hpp"

namespace promptsales::cache::testing {

class FakeSharedStore final : public SharedStore {
 public:
  RedisResult<std::optional<std::string>> get(const std::string& key) override {
    ++gets;
    if (down) {
      return tl::unexpected(RedisError{RedisErrorKind::unavailable, "down"});
    }
    std::lock_guard lock(mutex_);
    const auto it = values_.find(key);
    return it == values_.end() ? std::optional<std::string>() : std::optional<std::string>(it->second);
  }

  RedisResult<void> set(const std::string& key, const std::string& value, std::chrono::seconds) override {
    ++sets;
    if (down) {
      return tl::unexpected(RedisError{RedisErrorKind::unavailable, "down"});
    }
    std::lock_guard lock(mutex_);
    values_[key] = value;
    return {};
  }

  std::size_t size() const {
    std::lock_guard lock(mutex_);
    return values_.size();
  }

  std::atomic<bool> down{false};
  std::atomic<int> gets{0};
  std::atomic<int> sets{0};

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::string> values_;
};

}  // namespace promptsales::cache::testing
