#pragma once
/// A bounded pool of PostgreSQL connections that lends them through RAII
/// leases. A lease returns its connection on destruction, or drops it if the
/// connection broke, so a dead server never poisons the pool.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <pqxx/connection>

#include "promptsales/common/db/errors.hpp"

namespace promptsales::db {

struct PoolOptions {
  std::string url;                                   ///< libpq URL; never logged unmasked
  std::size_t size = 16;                             ///< most connections open at once
  std::chrono::milliseconds wait_timeout{2000};      ///< acquire() gives up after this
  std::chrono::milliseconds statement_timeout{5000}; ///< 0 = none
  std::string application_name = "promptsales";
  /// Runs once on each new connection, e.g. to prepare named statements.
  std::function<void(pqxx::connection&)> on_connect;
};

/// Counters for metrics and `serve` readiness.
struct PoolStats {
  std::size_t size = 0;       ///< configured maximum
  std::size_t open = 0;       ///< connections currently open
  std::size_t in_use = 0;     ///< leased right now
  std::uint64_t acquisitions = 0;
  std::uint64_t waits = 0;          ///< acquisitions that had to wait
  std::uint64_t wait_timeouts = 0;  ///< acquisitions that gave up
  std::uint64_t connect_failures = 0;
  double wait_seconds_total = 0;
};

class Pool;

/// A borrowed connection.
class Lease {
 public:
  Lease(Lease&& other) noexcept;
  Lease& operator=(Lease&&) = delete;
  Lease(const Lease&) = delete;
  ~Lease();

  pqxx::connection& operator*() const noexcept { return *conn_; }
  pqxx::connection* operator->() const noexcept { return conn_.get(); }
  /// Marks the connection as unusable: it is closed instead of returned.
  void discard() noexcept { broken_ = true; }

 private:
  friend class Pool;
  Lease(Pool* pool, std::unique_ptr<pqxx::connection> conn) : pool_(pool), conn_(std::move(conn)) {}
  Pool* pool_;
  std::unique_ptr<pqxx::connection> conn_;
  bool broken_ = false;
};

class Pool {
 public:
  explicit Pool(PoolOptions options);
  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  /// Lends a connection, opening one if below `size`. Throws Unavailable when
  /// the server cannot be reached or no connection frees up in time.
  Lease acquire();

  /// Runs `fn(connection)`; if the connection broke during it (server
  /// restart), retries once on a fresh connection. Use for idempotent reads.
  template <typename Fn>
  auto with_connection(Fn&& fn) -> decltype(fn(std::declval<pqxx::connection&>()));

  PoolStats stats() const;
  /// Closes idle connections: after one broke, its siblings likely did too.
  void drop_idle() noexcept;
  const PoolOptions& options() const noexcept { return options_; }

 private:
  friend class Lease;
  void give_back(std::unique_ptr<pqxx::connection> conn, bool broken) noexcept;
  std::unique_ptr<pqxx::connection> connect();

  PoolOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;
  std::size_t open_ = 0;
  std::size_t in_use_ = 0;
  std::atomic<std::uint64_t> acquisitions_{0};
  std::atomic<std::uint64_t> waits_{0};
  std::atomic<std::uint64_t> wait_timeouts_{0};
  std::atomic<std::uint64_t> connect_failures_{0};
  std::atomic<std::uint64_t> wait_nanos_{0};
};

/// True when `e` means the connection is gone (not a query error).
bool is_connection_failure(const std::exception& e) noexcept;

template <typename Fn>
auto Pool::with_connection(Fn&& fn) -> decltype(fn(std::declval<pqxx::connection&>())) {
  for (int attempt = 0;; ++attempt) {
    Lease lease = acquire();
    try {
      return fn(*lease);
    } catch (const std::exception& e) {
      if (!is_connection_failure(e)) rethrow_translated();
      lease.discard();
      drop_idle();
      if (attempt >= 1) rethrow_translated();
    }
  }
}

}  // namespace promptsales::db
