#include "promptsales/common/db/async_pg.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <atomic>
#include <deque>
#include <mutex>
#include <stdexcept>
#include <unordered_map>

// As in the HTTP server (asio_types.hpp): GCC 12 reports false
// -Wnull-dereference inside Asio's inlined scheduler code at -O2 and above.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#pragma GCC diagnostic pop

#include "promptsales/common/config.hpp"
#include "promptsales/common/db/session.hpp"
#include "promptsales/common/errors.hpp"
#include "promptsales/common/logging.hpp"
#include "promptsales/common/thread_name.hpp"

namespace promptsales::db {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using error_code = boost::system::error_code;

/// What the event loops and the connect thread share with the AsyncPg
/// object. Held by shared_ptr so either side may go first.
struct AsyncPg::Shared {
  explicit Shared(AsyncPgOptions o) : options(std::move(o)) {}

  /// Runs `job` on the connect thread; false once AsyncPg is gone.
  bool run_connect(std::function<void()> job) {
    std::lock_guard lock(connector_mutex);
    if (!connector) return false;
    asio::post(*connector, std::move(job));
    return true;
  }
  void stop_connector() noexcept {
    std::unique_ptr<asio::thread_pool> stopping;
    {
      std::lock_guard lock(connector_mutex);
      stopping = std::move(connector);
    }
    if (stopping) stopping->join();  // at most one connect's timeout
  }

  const AsyncPgOptions options;
  std::atomic<std::int64_t> open{0};
  std::atomic<std::int64_t> busy{0};
  std::atomic<std::int64_t> waiting{0};
  std::atomic<std::uint64_t> queries{0};
  std::atomic<std::uint64_t> failures{0};
  std::atomic<std::uint64_t> retries{0};
  std::atomic<std::uint64_t> connect_failures{0};

  std::mutex connector_mutex;
  std::unique_ptr<asio::thread_pool> connector = std::make_unique<asio::thread_pool>(1);
};

namespace {

std::shared_ptr<spdlog::logger> log() {
  static const auto logger = logging::get("db");
  return logger;
}

struct PgConnFree {
  void operator()(PGconn* c) const noexcept { PQfinish(c); }
};
using PgConnPtr = std::unique_ptr<PGconn, PgConnFree>;
struct PgResultFree {
  void operator()(PGresult* r) const noexcept { PQclear(r); }
};
using PgResultPtr = std::unique_ptr<PGresult, PgResultFree>;

/// libpq's message without the trailing newline.
std::string pg_message(const char* text) {
  std::string s = text ? text : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

/// The same kinds db::rethrow_translated gives the blocking path.
std::exception_ptr translate(const PGresult* r) {
  const char* state_text = PQresultErrorField(r, PG_DIAG_SQLSTATE);
  const std::string state = state_text ? state_text : "";
  const std::string message = pg_message(PQresultErrorMessage(r));
  if (state == "57014") return std::make_exception_ptr(Unavailable("database query timed out", message));
  if (state.rfind("08", 0) == 0 || state == "57P01" || state == "57P02" || state == "57P03") {
    return std::make_exception_ptr(Unavailable("database unavailable", message));
  }
  return std::make_exception_ptr(std::runtime_error("query failed (SQLSTATE " + state + "): " + message));
}

/// Connects and sets the session up; blocking, so it runs on the connect
/// thread. Null (and `error`) when the server cannot be reached or refuses.
PgConnPtr open_connection(const AsyncPgOptions& o, std::string& error) {
  // connect_timeout first so that one in the URL (expanded from dbname) wins.
  const char* keys[] = {"connect_timeout", "dbname", nullptr};
  const char* values[] = {"3", o.url.c_str(), nullptr};
  PgConnPtr conn(PQconnectdbParams(keys, values, 1));
  if (!conn || PQstatus(conn.get()) != CONNECTION_OK) {
    error = conn ? pg_message(PQerrorMessage(conn.get())) : "out of memory";
    return nullptr;
  }
  char* quoted = PQescapeLiteral(conn.get(), o.application_name.data(), o.application_name.size());
  if (quoted == nullptr) {
    error = pg_message(PQerrorMessage(conn.get()));
    return nullptr;
  }
  const std::string setup = session_setup_sql(quoted, o.statement_timeout);
  PQfreemem(quoted);
  PgResultPtr r(PQexec(conn.get(), setup.c_str()));
  if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
    error = "session setup: " + pg_message(PQresultErrorMessage(r.get()));
    return nullptr;
  }
  for (const auto& s : o.statements) {
    r.reset(PQprepare(conn.get(), s.name.c_str(), s.sql.c_str(), 0, nullptr));
    if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
      error = "prepare " + s.name + ": " + pg_message(PQresultErrorMessage(r.get()));
      return nullptr;
    }
  }
  if (PQsetnonblocking(conn.get(), 1) != 0 || (o.pipeline_depth > 1 && PQenterPipelineMode(conn.get()) != 1)) {
    error = pg_message(PQerrorMessage(conn.get()));
    return nullptr;
  }
  return conn;
}

struct Query {
  std::size_t statement = 0;
  std::vector<std::optional<std::string>> params;
  AsyncPgCallback done;
  Clock::time_point enqueued{};
  Clock::time_point sent{};
  int attempts = 0;
  bool ended = false;  // pipeline mode: its results ended, its sync is still to come
  PgResultPtr result;
  std::exception_ptr error;
};
using QueryPtr = std::unique_ptr<Query>;

/// One libpq connection owned by an event loop.
struct Conn {
  ~Conn() { close(); }
  /// Stops watching the socket (pending waits complete as aborted) and
  /// closes the connection; libpq, not Asio, owns the descriptor.
  void close() noexcept {
    if (socket) {
      if (socket->is_open()) socket->release();
      socket.reset();  // before the event loop can go away
    }
    pg.reset();
  }

  PgConnPtr pg;
  std::unique_ptr<asio::posix::stream_descriptor> socket;
  std::deque<QueryPtr> in_flight;
  bool read_armed = false;
  bool write_armed = false;
  bool broken = false;
};
using ConnPtr = std::shared_ptr<Conn>;

/// The connections and waiting queries of one AsyncPg on one event loop.
/// Touched only by that loop's thread, except `alive_` (connect thread).
class ThreadState : public std::enable_shared_from_this<ThreadState> {
 public:
  ThreadState(asio::io_context& io, std::shared_ptr<AsyncPg::Shared> shared)
      : io_(io), shared_(std::move(shared)) {
    sweep_timer_.emplace(io);
  }

  void submit(QueryPtr q);
  /// The event loop is being destroyed: close everything, call nothing.
  void shutdown() noexcept;

 private:
  const AsyncPgOptions& options() const { return shared_->options; }
  void pump();
  Conn* pick() const;
  void maybe_connect();
  void on_connected(PgConnPtr pg, const std::string& error);
  void send(const ConnPtr& c, QueryPtr q);
  void flush(const ConnPtr& c);
  void arm_read(const ConnPtr& c);
  void arm_write(const ConnPtr& c);
  void on_readable(const ConnPtr& c);
  void take_results(const ConnPtr& c);
  void complete_front(const ConnPtr& c);
  void break_connection(const ConnPtr& c, const std::string& why);
  void finish(QueryPtr q, std::exception_ptr error);
  void fail_soon(QueryPtr q, std::exception_ptr error);
  void fail_waiting(const std::exception_ptr& error);
  void ensure_sweeping();
  void sweep();

  asio::io_context& io_;
  const std::shared_ptr<AsyncPg::Shared> shared_;
  std::vector<ConnPtr> conns_;
  std::deque<QueryPtr> waiting_;
  std::size_t connecting_ = 0;
  Clock::time_point retry_at_{};
  std::string last_error_;
  std::optional<asio::steady_timer> sweep_timer_;  // reset by shutdown(), while the loop still exists
  bool sweeping_ = false;

  std::mutex alive_mutex_;
  bool alive_ = true;
};

void ThreadState::submit(QueryPtr q) {
  shared_->queries.fetch_add(1, std::memory_order_relaxed);
  q->enqueued = Clock::now();
  if (conns_.empty() && connecting_ == 0 && q->enqueued < retry_at_) {
    // The last connect failed moments ago: answer 503 now rather than queue.
    fail_soon(std::move(q), std::make_exception_ptr(Unavailable("database unavailable", last_error_)));
    return;
  }
  waiting_.push_back(std::move(q));
  shared_->waiting.fetch_add(1, std::memory_order_relaxed);
  pump();
  ensure_sweeping();
}

Conn* ThreadState::pick() const {
  Conn* best = nullptr;
  for (const auto& c : conns_) {
    if (c->in_flight.size() >= options().pipeline_depth) continue;
    if (best == nullptr || c->in_flight.size() < best->in_flight.size()) best = c.get();
    if (best->in_flight.empty()) break;
  }
  return best;
}

void ThreadState::pump() {
  while (!waiting_.empty()) {
    Conn* target = pick();
    if (target == nullptr || !target->in_flight.empty()) maybe_connect();  // grow while busy
    if (target == nullptr) return;
    QueryPtr q = std::move(waiting_.front());
    waiting_.pop_front();
    shared_->waiting.fetch_sub(1, std::memory_order_relaxed);
    for (const auto& c : conns_) {
      if (c.get() == target) {
        send(c, std::move(q));
        break;
      }
    }
  }
}

void ThreadState::maybe_connect() {
  if (conns_.size() + connecting_ >= std::max<std::size_t>(1, options().connections_per_thread)) return;
  if (Clock::now() < retry_at_) return;  // the last connect failed: not before retry_delay
  ++connecting_;
  std::weak_ptr<ThreadState> weak = weak_from_this();
  const auto shared = shared_;
  const bool queued = shared_->run_connect([weak, shared] {
    thread_local const bool named = (set_current_thread_name("db-connect"), true);
    (void)named;
    std::string error;
    PgConnPtr pg = open_connection(shared->options, error);
    const auto self = weak.lock();
    if (!self) return;
    std::lock_guard lock(self->alive_mutex_);
    if (!self->alive_) return;  // the event loop is going away
    asio::post(self->io_, [self, pg = std::move(pg), error]() mutable { self->on_connected(std::move(pg), error); });
  });
  if (!queued) {
    --connecting_;
    last_error_ = "the database client is shutting down";
    retry_at_ = Clock::now() + options().retry_delay;
  }
}


void ThreadState::on_connected(PgConnPtr pg, const std::string& error) {
  --connecting_;
  if (!alive_) return;
  if (!pg) {
    shared_->connect_failures.fetch_add(1, std::memory_order_relaxed);
    retry_at_ = Clock::now() + options().retry_delay;
    if (last_error_ != error) log()->warn("database connection for the I/O thread failed: {}", error);
    last_error_ = error;
    // With no connection to wait for, the waiting queries would only time
    // out: answer them now (503), and new ones until retry_delay passes.
    if (conns_.empty() && connecting_ == 0) {
      fail_waiting(std::make_exception_ptr(Unavailable("database unavailable", error)));
    }
    return;
  }
  auto c = std::make_shared<Conn>();
  try {
    c->socket = std::make_unique<asio::posix::stream_descriptor>(io_, PQsocket(pg.get()));
  } catch (const std::exception& e) {
    c->socket.reset();
    shared_->connect_failures.fetch_add(1, std::memory_order_relaxed);
    log()->error("cannot watch a database socket: {}", e.what());
    if (conns_.empty() && connecting_ == 0) {
      fail_waiting(std::make_exception_ptr(Unavailable("database unavailable", e.what())));
    }
    return;
  }
  c->pg = std::move(pg);
  retry_at_ = {};
  if (!last_error_.empty()) log()->info("database connection for the I/O thread restored");
  last_error_.clear();
  conns_.push_back(c);
  shared_->open.fetch_add(1, std::memory_order_relaxed);
  arm_read(c);  // always armed: an idle connection that the server closes is noticed at once
  pump();
}

void ThreadState::send(const ConnPtr& c, QueryPtr q) {
  const auto& statement = options().statements[q->statement];
  const int n = static_cast<int>(q->params.size());
  std::vector<const char*> values(q->params.size());
  for (int i = 0; i < n; ++i) values[i] = q->params[i] ? q->params[i]->c_str() : nullptr;
  ++q->attempts;
  q->sent = Clock::now();
  const bool pipeline = options().pipeline_depth > 1;
  const bool sent = PQsendQueryPrepared(c->pg.get(), statement.name.c_str(), n, values.data(), nullptr, nullptr, 0) == 1 &&
                    (!pipeline || PQpipelineSync(c->pg.get()) == 1);
  if (c->in_flight.empty()) shared_->busy.fetch_add(1, std::memory_order_relaxed);
  c->in_flight.push_back(std::move(q));
  if (!sent) {
    break_connection(c, pg_message(PQerrorMessage(c->pg.get())));
    return;
  }
  flush(c);
}

void ThreadState::flush(const ConnPtr& c) {
  const int r = PQflush(c->pg.get());
  if (r < 0) {
    break_connection(c, pg_message(PQerrorMessage(c->pg.get())));
  } else if (r > 0) {
    arm_write(c);  // the rest goes when the socket drains
  }
}

void ThreadState::arm_read(const ConnPtr& c) {
  if (c->read_armed || c->broken) return;
  c->read_armed = true;
  c->socket->async_wait(asio::posix::stream_descriptor::wait_read,
                        [self = shared_from_this(), c](const error_code& ec) {
                          c->read_armed = false;
                          if (c->broken || !self->alive_) return;
                          if (ec) {
                            self->break_connection(c, ec.message());
                            return;
                          }
                          self->on_readable(c);
                        });
}

void ThreadState::arm_write(const ConnPtr& c) {
  if (c->write_armed || c->broken) return;
  c->write_armed = true;
  c->socket->async_wait(asio::posix::stream_descriptor::wait_write,
                        [self = shared_from_this(), c](const error_code& ec) {
                          c->write_armed = false;
                          if (c->broken || !self->alive_) return;
                          if (ec) {
                            self->break_connection(c, ec.message());
                            return;
                          }
                          self->flush(c);
                        });
}

void ThreadState::on_readable(const ConnPtr& c) {
  if (PQconsumeInput(c->pg.get()) != 1) {
    break_connection(c, pg_message(PQerrorMessage(c->pg.get())));
    return;
  }
  if (c->write_armed) flush(c);  // libpq asks for a flush after reading while output is pending
  if (c->broken) return;
  take_results(c);
  if (c->broken) return;
  if (c->in_flight.empty()) {
    // Nothing is expected: a notice is harmless, but anything else (the
    // server ending the session) leaves the connection unusable.
    if (PQstatus(c->pg.get()) != CONNECTION_OK) {
      break_connection(c, pg_message(PQerrorMessage(c->pg.get())));
      return;
    }
  }
  arm_read(c);
  pump();
}

void ThreadState::take_results(const ConnPtr& c) {
  const bool pipeline = options().pipeline_depth > 1;
  while (!c->in_flight.empty() && !c->broken && PQisBusy(c->pg.get()) == 0) {
    PGresult* raw = PQgetResult(c->pg.get());
    Query& q = *c->in_flight.front();
    if (raw == nullptr) {
      if (!pipeline) {
        complete_front(c);
        continue;
      }
      if (q.ended) break;  // waiting for the sync's result
      q.ended = true;
      continue;
    }
    PgResultPtr r(raw);
    switch (PQresultStatus(raw)) {
      case PGRES_TUPLES_OK:
        if (!q.result && !q.error) q.result = std::move(r);
        break;
      case PGRES_PIPELINE_SYNC:
        complete_front(c);
        break;
      case PGRES_FATAL_ERROR:
        if (!q.error) q.error = translate(raw);
        break;
      case PGRES_PIPELINE_ABORTED:
        if (!q.error) q.error = std::make_exception_ptr(Unavailable("database query aborted"));
        break;
      default:
        if (!q.error) {
          q.error = std::make_exception_ptr(
              std::runtime_error(std::string("unexpected query result: ") + PQresStatus(PQresultStatus(raw))));
        }
        break;
    }
  }
}

void ThreadState::complete_front(const ConnPtr& c) {
  QueryPtr q = std::move(c->in_flight.front());
  c->in_flight.pop_front();
  if (c->in_flight.empty()) shared_->busy.fetch_sub(1, std::memory_order_relaxed);
  std::exception_ptr error = q->error;
  if (!error && !q->result) error = std::make_exception_ptr(std::runtime_error("the query returned no rows result"));
  finish(std::move(q), error);
}

void ThreadState::break_connection(const ConnPtr& c, const std::string& why) {
  if (c->broken) return;
  c->broken = true;
  std::deque<QueryPtr> orphans = std::move(c->in_flight);
  c->in_flight.clear();
  if (!orphans.empty()) shared_->busy.fetch_sub(1, std::memory_order_relaxed);
  c->close();
  conns_.erase(std::remove(conns_.begin(), conns_.end(), c), conns_.end());
  shared_->open.fetch_sub(1, std::memory_order_relaxed);
  log()->warn("database connection of an I/O thread lost: {}", why);
  // A read is safe to resend once: the server restarted, or this idle
  // connection was stale. A second loss is an answer.
  for (auto it = orphans.rbegin(); it != orphans.rend(); ++it) {
    QueryPtr& q = *it;
    if (q->attempts < 2) {
      shared_->retries.fetch_add(1, std::memory_order_relaxed);
      q->result.reset();
      q->error = nullptr;
      q->ended = false;
      waiting_.push_front(std::move(q));
      shared_->waiting.fetch_add(1, std::memory_order_relaxed);
    } else {
      finish(std::move(q), std::make_exception_ptr(Unavailable("database unavailable", why)));
    }
  }
  pump();
}

void ThreadState::finish(QueryPtr q, std::exception_ptr error) {
  if (error) shared_->failures.fetch_add(1, std::memory_order_relaxed);
  try {
    q->done(error ? nullptr : q->result.get(), error);
  } catch (const std::exception& e) {
    log()->error("async query callback threw: {}", e.what());
  } catch (...) {
    log()->error("async query callback threw");
  }
}

void ThreadState::fail_soon(QueryPtr q, std::exception_ptr error) {
  // Never inside submit(): the caller may still be setting up.
  shared_->failures.fetch_add(1, std::memory_order_relaxed);
  asio::post(io_, [q = std::move(q), error]() mutable {
    try {
      q->done(nullptr, error);
    } catch (...) {
      log()->error("async query callback threw");
    }
  });
}

void ThreadState::fail_waiting(const std::exception_ptr& error) {
  std::deque<QueryPtr> failed = std::move(waiting_);
  waiting_.clear();
  shared_->waiting.fetch_sub(static_cast<std::int64_t>(failed.size()), std::memory_order_relaxed);
  for (auto& q : failed) finish(std::move(q), error);
}

void ThreadState::ensure_sweeping() {
  if (sweeping_ || !sweep_timer_) return;
  sweeping_ = true;
  sweep_timer_->expires_after(std::chrono::milliseconds(100));
  sweep_timer_->async_wait([self = shared_from_this()](const error_code& ec) {
    self->sweeping_ = false;
    if (ec || !self->alive_) return;
    self->sweep();
  });
}

void ThreadState::sweep() {
  const auto now = Clock::now();
  // Queries that waited too long for a connection.
  while (!waiting_.empty() && now - waiting_.front()->enqueued > options().wait_timeout) {
    QueryPtr q = std::move(waiting_.front());
    waiting_.pop_front();
    shared_->waiting.fetch_sub(1, std::memory_order_relaxed);
    const std::string detail = last_error_.empty() ? "no database connection became free in time" : last_error_;
    finish(std::move(q), std::make_exception_ptr(Unavailable("database unavailable", detail)));
  }
  // A connection whose query outlived the server's own statement_timeout
  // by wait_timeout is hung (server stopped, network gone): drop it.
  const auto limit = options().statement_timeout + options().wait_timeout;
  for (std::size_t i = conns_.size(); i-- > 0;) {
    if (i >= conns_.size()) continue;
    const ConnPtr c = conns_[i];
    if (!c->in_flight.empty() && now - c->in_flight.front()->sent > limit) {
      for (auto& q : c->in_flight) q->attempts = 2;  // no retry: it already took too long
      break_connection(c, "no answer within " + std::to_string(limit.count()) + " ms");
    }
  }
  bool active = !waiting_.empty() || connecting_ > 0;
  for (const auto& c : conns_) active = active || !c->in_flight.empty();
  if (active) ensure_sweeping();
}

void ThreadState::shutdown() noexcept {
  {
    std::lock_guard lock(alive_mutex_);
    alive_ = false;
  }
  sweep_timer_.reset();
  for (auto& c : conns_) {
    c->broken = true;
    c->close();
  }
  shared_->open.fetch_sub(static_cast<std::int64_t>(conns_.size()), std::memory_order_relaxed);
  conns_.clear();
  shared_->waiting.fetch_sub(static_cast<std::int64_t>(waiting_.size()), std::memory_order_relaxed);
  waiting_.clear();  // their callbacks are destroyed uncalled, like any handler of a destroyed loop
}

/// Holds each AsyncPg's ThreadState for one io_context, and closes them when
/// the io_context is destroyed (services shut down before it goes away).
class AsyncPgService final : public asio::execution_context::service {
 public:
  static inline asio::execution_context::id id;

  explicit AsyncPgService(asio::execution_context& context) : asio::execution_context::service(context) {}

  std::shared_ptr<ThreadState> state(asio::io_context& io, const std::shared_ptr<AsyncPg::Shared>& shared) {
    std::lock_guard lock(mutex_);
    auto& slot = states_[shared.get()];
    if (!slot) slot = std::make_shared<ThreadState>(io, shared);
    return slot;
  }

 private:
  void shutdown() override {
    std::unordered_map<const AsyncPg::Shared*, std::shared_ptr<ThreadState>> states;
    {
      std::lock_guard lock(mutex_);
      states.swap(states_);
    }
    for (auto& entry : states) entry.second->shutdown();
  }

  std::mutex mutex_;
  std::unordered_map<const AsyncPg::Shared*, std::shared_ptr<ThreadState>> states_;
};

}  // namespace

AsyncPg::AsyncPg(AsyncPgOptions options) {
  if (options.url.empty()) throw ConfigError("async database client: no database URL");
  if (options.connections_per_thread == 0) throw ConfigError("async database client: connections per thread must be at least 1");
  if (options.pipeline_depth == 0) options.pipeline_depth = 1;
  shared_ = std::make_shared<Shared>(std::move(options));
}

AsyncPg::~AsyncPg() { shared_->stop_connector(); }

std::size_t AsyncPg::statement(std::string_view name) const {
  const auto& list = shared_->options.statements;
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (list[i].name == name) return i;
  }
  throw std::invalid_argument("async database client: no statement named " + std::string(name));
}

void AsyncPg::query(asio::io_context& io, std::size_t statement, std::vector<std::optional<std::string>> params,
                    AsyncPgCallback done) {
  auto q = std::make_unique<Query>();
  q->statement = statement;
  q->params = std::move(params);
  q->done = std::move(done);
  if (statement >= shared_->options.statements.size()) {
    throw std::invalid_argument("async database client: statement index out of range");
  }
  asio::use_service<AsyncPgService>(static_cast<asio::execution_context&>(io)).state(io, shared_)->submit(std::move(q));
}

AsyncPgStats AsyncPg::stats() const noexcept {
  const auto& s = *shared_;
  const auto non_negative = [](std::int64_t v) { return static_cast<std::size_t>(std::max<std::int64_t>(0, v)); };
  AsyncPgStats out;
  out.open = non_negative(s.open.load(std::memory_order_relaxed));
  out.busy = non_negative(s.busy.load(std::memory_order_relaxed));
  out.waiting = non_negative(s.waiting.load(std::memory_order_relaxed));
  out.queries = s.queries.load(std::memory_order_relaxed);
  out.failures = s.failures.load(std::memory_order_relaxed);
  out.retries = s.retries.load(std::memory_order_relaxed);
  out.connect_failures = s.connect_failures.load(std::memory_order_relaxed);
  return out;
}

const AsyncPgOptions& AsyncPg::options() const noexcept { return shared_->options; }

}  // namespace promptsales::db
