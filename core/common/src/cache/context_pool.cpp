#include "context_pool.hpp"

namespace promptsales::cache {

ContextPool::Lease::~Lease() {
  if (pool_ != nullptr && context_) {
    pool_->give_back(std::move(context_), generation_);
  }
}

ContextPool::ContextPool(RedisUrl url, std::size_t size, ConnectSettings settings)
    : url_(std::move(url)), size_(size == 0 ? 1 : size), settings_(settings) {}

tl::expected<ContextPool::Lease, RedisError> ContextPool::acquire() {
  std::unique_lock lock(mutex_);
  const auto deadline = CacheClock::now() + settings_.command_timeout;
  for (;;) {
    if (!idle_.empty()) {
      ContextPtr context = std::move(idle_.back());
      idle_.pop_back();
      return Lease(*this, std::move(context), generation_);
    }
    if (open_ < size_) {
      ++open_;
      const std::uint64_t generation = generation_;
      lock.unlock();
      // Connect outside the lock: it can take up to the connect timeout.
      auto context = open_context(url_, settings_);
      if (!context) {
        lock.lock();
        --open_;
        freed_.notify_one();
        return tl::unexpected(context.error());
      }
      return Lease(*this, std::move(*context), generation);
    }
    if (freed_.wait_until(lock, deadline) == std::cv_status::timeout) {
      return tl::unexpected(
          RedisError{RedisErrorKind::pool_exhausted, "no free Redis connection within the command timeout"});
    }
  }
}

void ContextPool::give_back(ContextPtr context, std::uint64_t generation) {
  std::vector<ContextPtr> closing;
  {
    std::lock_guard lock(mutex_);
    if (context->err != 0 || generation != generation_) {
      --open_;
      closing.push_back(std::move(context));
    } else {
      idle_.push_back(std::move(context));
    }
  }
  freed_.notify_one();
  // `closing` frees the context here, outside the lock.
}

void ContextPool::drop_all() {
  std::vector<ContextPtr> closing;
  {
    std::lock_guard lock(mutex_);
    ++generation_;
    open_ -= idle_.size();
    closing.swap(idle_);
  }
  freed_.notify_all();
}

}  // namespace promptsales::cache
