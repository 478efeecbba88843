#pragma once
/// Asynchronous PostgreSQL reads on the HTTP I/O threads: a few raw libpq
/// connections per event loop, non-blocking, each statement prepared once
/// per connection, the socket watched by the loop itself. A query never
/// blocks its thread and never hops to another one: the callback runs on the
/// same event loop that asked, once the rows are in.
///
/// Connections are opened (DNS, TLS, session settings, PREPARE) by a helper
/// thread, because libpq's connect can block; after that only the event
/// loop touches them. A failed connect makes queries fail fast with
/// Unavailable for `retry_delay`, so a dead database answers 503 at once
/// instead of queueing requests. A connection that breaks under a query is
/// replaced and the query retried once (queries here must be idempotent
/// reads).
///
/// Asio stays out of this header: callers pass the io_context they run on
/// (http::Responder::io_context()).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct pg_result;  // libpq's PGresult

namespace boost::asio {
class io_context;
}

namespace promptsales::db {

/// A named statement prepared on every connection.
struct AsyncPgStatement {
  std::string name;
  std::string sql;
};

struct AsyncPgOptions {
  std::string url;                                    ///< libpq URL; never logged unmasked
  std::size_t connections_per_thread = 4;             ///< per event loop (at least 1)
  /// Queries in flight on one connection. 1 sends the next query when the
  /// previous one has answered; more uses libpq's pipeline mode.
  std::size_t pipeline_depth = 1;
  /// A query waiting for a connection (including its connect) fails with
  /// Unavailable after this, like db::Pool's wait_timeout.
  std::chrono::milliseconds wait_timeout{2000};
  std::chrono::milliseconds statement_timeout{5000};  ///< session setting; 0 = none
  /// After a failed connect, new queries fail at once for this long.
  std::chrono::milliseconds retry_delay{250};
  std::string application_name = "promptsales";
  std::vector<AsyncPgStatement> statements;
};

/// Totals over every event loop, for metrics.
struct AsyncPgStats {
  std::size_t open = 0;     ///< connections open now
  std::size_t busy = 0;     ///< connections with a query in flight now
  std::size_t waiting = 0;  ///< queries waiting for a connection now
  std::uint64_t queries = 0;
  std::uint64_t failures = 0;  ///< queries answered with an error
  std::uint64_t retries = 0;   ///< queries resent after their connection broke
  std::uint64_t connect_failures = 0;
};

/// The rows of a query (a PGresult with PGRES_TUPLES_OK), or the error to
/// report: Unavailable when the database is down, slow or restarting.
/// `result` is valid only during the call.
using AsyncPgCallback = std::function<void(const pg_result* result, std::exception_ptr error)>;

class AsyncPg {
 public:
  /// Checks the options; opens nothing until the first query.
  explicit AsyncPg(AsyncPgOptions options);
  /// Stops the connect thread. Event loops that used this object close
  /// their connections when they are destroyed.
  ~AsyncPg();
  AsyncPg(const AsyncPg&) = delete;
  AsyncPg& operator=(const AsyncPg&) = delete;

  /// The index of a statement by name, for query(). Throws std::invalid_argument.
  std::size_t statement(std::string_view name) const;

  /// Runs statement number `statement` with text parameters (nullopt =
  /// NULL). Call on the thread running `io`; `done` runs later on that
  /// thread, exactly once, never inside this call. Never blocks.
  void query(boost::asio::io_context& io, std::size_t statement, std::vector<std::optional<std::string>> params,
             AsyncPgCallback done);

  AsyncPgStats stats() const noexcept;
  const AsyncPgOptions& options() const noexcept;

  struct Shared;  ///< state shared with the event loops (async_pg.cpp)

 private:
  std::shared_ptr<Shared> shared_;
};

}  // namespace promptsales::db
