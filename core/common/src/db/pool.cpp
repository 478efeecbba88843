#include "promptsales/common/db/pool.hpp"

#include <pqxx/pqxx>

#include "promptsales/common/config.hpp"
#include "promptsales/common/db/session.hpp"
#include "promptsales/common/errors.hpp"
#include "promptsales/common/logging.hpp"

namespace promptsales::db {

Lease::Lease(Lease&& other) noexcept
    : pool_(other.pool_), conn_(std::move(other.conn_)), broken_(other.broken_) {
  other.pool_ = nullptr;
}

Lease::~Lease() {
  if (pool_ && conn_) pool_->give_back(std::move(conn_), broken_ || !conn_->is_open());
}

Pool::Pool(PoolOptions options) : options_(std::move(options)) {
  if (options_.size == 0) throw ConfigError("database pool size must be at least 1");
}

Pool::~Pool() = default;

std::unique_ptr<pqxx::connection> Pool::connect() {
  try {
    auto conn = std::make_unique<pqxx::connection>(options_.url);
    // Session settings every query relies on: UTC timestamps in ISO form.
    pqxx::nontransaction setup(*conn);
    // Quoted by hand around esc(): pqxx's inline quote() ("'" + ...) trips
    // a false -Wrestrict in GCC 12 at -O3 (GCC bug 105329), which breaks
    // Release builds with warnings as errors.
    std::string name = "'";
    name += setup.esc(options_.application_name);
    name += '\'';
    setup.exec(session_setup_sql(name, options_.statement_timeout));
    setup.commit();
    if (options_.on_connect) options_.on_connect(*conn);
    return conn;
  } catch (const pqxx::broken_connection& e) {
    connect_failures_.fetch_add(1, std::memory_order_relaxed);
    throw Unavailable("database unavailable", std::string("connect to ") + mask_url_password(options_.url) +
                                                  ": " + e.what());
  }
}

Lease Pool::acquire() {
  acquisitions_.fetch_add(1, std::memory_order_relaxed);
  std::unique_lock lock(mutex_);
  if (idle_.empty() && open_ >= options_.size) {
    waits_.fetch_add(1, std::memory_order_relaxed);
    const auto started = std::chrono::steady_clock::now();
    const bool got = available_.wait_for(lock, options_.wait_timeout,
                                         [&] { return !idle_.empty() || open_ < options_.size; });
    wait_nanos_.fetch_add(static_cast<std::uint64_t>(
                              std::chrono::duration_cast<std::chrono::nanoseconds>(
                                  std::chrono::steady_clock::now() - started)
                                  .count()),
                          std::memory_order_relaxed);
    if (!got) {
      wait_timeouts_.fetch_add(1, std::memory_order_relaxed);
      throw Unavailable("database busy: no connection free within " +
                        std::to_string(options_.wait_timeout.count()) + " ms");
    }
  }
  if (!idle_.empty()) {
    auto conn = std::move(idle_.back());
    idle_.pop_back();
    ++in_use_;
    return Lease(this, std::move(conn));
  }
  // Open a new connection outside the lock: connecting takes milliseconds.
  ++open_;
  ++in_use_;
  lock.unlock();
  try {
    return Lease(this, connect());
  } catch (...) {
    lock.lock();
    --open_;
    --in_use_;
    available_.notify_one();
    throw;
  }
}

void Pool::give_back(std::unique_ptr<pqxx::connection> conn, bool broken) noexcept {
  {
    std::lock_guard lock(mutex_);
    --in_use_;
    if (broken) {
      --open_;
    } else {
      idle_.push_back(std::move(conn));
    }
  }
  available_.notify_one();
  // A broken connection is destroyed here, outside the lock.
}

void Pool::drop_idle() noexcept {
  std::vector<std::unique_ptr<pqxx::connection>> doomed;
  {
    std::lock_guard lock(mutex_);
    open_ -= idle_.size();
    doomed.swap(idle_);
  }
  available_.notify_all();
}

PoolStats Pool::stats() const {
  PoolStats s;
  {
    std::lock_guard lock(mutex_);
    s.open = open_;
    s.in_use = in_use_;
  }
  s.size = options_.size;
  s.acquisitions = acquisitions_.load(std::memory_order_relaxed);
  s.waits = waits_.load(std::memory_order_relaxed);
  s.wait_timeouts = wait_timeouts_.load(std::memory_order_relaxed);
  s.connect_failures = connect_failures_.load(std::memory_order_relaxed);
  s.wait_seconds_total = static_cast<double>(wait_nanos_.load(std::memory_order_relaxed)) / 1e9;
  return s;
}

bool is_connection_failure(const std::exception& e) noexcept {
  return dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr ||
         dynamic_cast<const pqxx::in_doubt_error*>(&e) != nullptr;
}

}  // namespace promptsales::db
