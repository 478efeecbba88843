#include "promptsales/common/jobs/worker.hpp"

#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include <pqxx/pqxx>

#include "promptsales/common/db/pool.hpp"
#include "promptsales/common/errors.hpp"
#include "promptsales/common/jobs/job_runner.hpp"
#include "promptsales/common/logging.hpp"

namespace promptsales::jobs {

struct Worker::State {
  State(const JobCatalog& c, const Config& cfg, WorkerOptions o) : catalog(c), config(cfg), options(std::move(o)) {}
  const JobCatalog& catalog;
  const Config& config;
  WorkerOptions options;
  std::shared_ptr<db::Pool> pool;
  const std::atomic<bool>* stop = nullptr;  // the caller's: jobs see it as stop_requested

  std::atomic<bool> stopping{false};  // claim nothing more
  std::atomic<std::int64_t> reserved{0};  // claims started, for max_jobs
  std::mutex mutex;
  std::condition_variable wake;
  std::condition_variable finished;
  std::uint64_t wake_sequence = 0;  // bumped by each NOTIFY
  int threads_alive = 0;
  int jobs_in_flight = 0;
  WorkerStats stats;

  void notify_work() {
    {
      std::lock_guard lock(mutex);
      ++wake_sequence;
    }
    wake.notify_all();
  }
};

namespace {

class QueueListener final : public pqxx::notification_receiver {
 public:
  QueueListener(pqxx::connection& conn, std::function<void()> on_notify)
      : pqxx::notification_receiver(conn, "promptsales_jobs"), on_notify_(std::move(on_notify)) {}
  void operator()(const std::string&, int) override { on_notify_(); }

 private:
  std::function<void()> on_notify_;
};

// One connection that LISTENs; reconnects after a failure. A notification
// only shortens an idle worker's sleep, so losing some is harmless.
void listen_loop(const std::shared_ptr<Worker::State>& s) {
  auto log = logging::get("jobs");
  while (!s->stopping) {
    try {
      pqxx::connection conn(s->options.database_url);
      QueueListener listener(conn, [s] { s->notify_work(); });
      while (!s->stopping) conn.await_notification(0, 200000);
    } catch (const std::exception& e) {
      log->warn("job queue listener: {}; polling every {} ms until it reconnects", e.what(),
                s->options.poll_interval.count());
      for (int i = 0; i < 10 && !s->stopping; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
}

void record_outcome(WorkerStats& stats, Outcome outcome) {
  ++stats.jobs;
  switch (outcome) {
    case Outcome::succeeded: ++stats.succeeded; break;
    case Outcome::failed: ++stats.failed; break;
    case Outcome::config_error: ++stats.config_errors; break;
    case Outcome::partial: ++stats.partial; break;
    case Outcome::skipped: ++stats.skipped; break;
  }
}

// Claims and runs jobs until told to stop, or until max_jobs or an empty
// queue (with until_empty) ends it.
void work_loop(const std::shared_ptr<Worker::State>& s) {
  auto log = logging::get("jobs");
  const auto& o = s->options;
  JobRunner runner(s->catalog, *s->pool, s->config);
  while (!s->stopping) {
    if (o.max_jobs && s->reserved.fetch_add(1) >= *o.max_jobs) break;
    std::uint64_t seen = 0;
    {
      std::lock_guard lock(s->mutex);
      seen = s->wake_sequence;
      ++s->jobs_in_flight;  // counted before the claim, so shutdown waits for a claim in progress
    }
    std::optional<QueuedJob> job;
    try {
      auto lease = s->pool->acquire();
      job = JobQueue(*lease).claim(o.worker_id);
    } catch (const std::exception& e) {
      log->error("job queue claim failed: {}", e.what());
    }
    if (!job) {
      {
        std::lock_guard lock(s->mutex);
        --s->jobs_in_flight;
      }
      s->finished.notify_all();
      if (o.max_jobs) s->reserved.fetch_sub(1);
      if (o.until_empty) break;
      std::unique_lock lock(s->mutex);
      s->wake.wait_for(lock, o.poll_interval, [&] { return s->stopping || s->wake_sequence != seen; });
      continue;
    }

    Outcome outcome = Outcome::failed;
    std::string error;
    try {
      RunRequest request{job->job, params_from_json(job->params), Trigger::worker, job->id};
      const auto report = runner.run(request, *s->stop);
      outcome = report.result.outcome;
      error = report.error.empty() && outcome != Outcome::succeeded ? report.result.message : report.error;
    } catch (const Error& e) {
      // Unknown job or bad parameters (config_error: never retried), or the
      // database could not record the run (Unavailable: retried).
      outcome = outcome_of(e);
      error = e.what();
      log->error("queued job {} ({}): {}", job->id, job->job, e.what());
    } catch (const std::exception& e) {
      error = e.what();
      log->error("queued job {} ({}): {}", job->id, job->job, e.what());
    }
    try {
      auto lease = s->pool->acquire();
      JobQueue(*lease).settle(*job, outcome, error, o.backoff, o.defer_when_locked);
    } catch (const std::exception& e) {
      // The row stays 'running'; requeue_stale gives it back later.
      log->error("queued job {} ({}) finished {} but could not be settled: {}", job->id, job->job,
                 to_string(outcome), e.what());
    }
    {
      std::lock_guard lock(s->mutex);
      record_outcome(s->stats, outcome);
      --s->jobs_in_flight;
    }
    s->finished.notify_all();
  }
}

}  // namespace

Worker::Worker(const JobCatalog& catalog, const Config& config, WorkerOptions options)
    : state_(std::make_shared<State>(catalog, config, std::move(options))) {
  auto& o = state_->options;
  if (o.concurrency < 1 || o.concurrency > 256) throw ValidationError("concurrency", "must be 1-256");
  db::PoolOptions pool;
  pool.url = o.database_url;
  // Per running job: its session (lock, run record) and at least one for the job itself.
  pool.size = static_cast<std::size_t>(o.concurrency) * 2 + 1;
  pool.wait_timeout = std::chrono::milliseconds(10000);
  pool.statement_timeout = o.statement_timeout;
  pool.application_name = "promptsales-jobs-worker";
  state_->pool = std::make_shared<db::Pool>(std::move(pool));
  if (o.worker_id.empty()) o.worker_id = process_identity();
}

Worker::~Worker() = default;

WorkerStats Worker::run(const std::atomic<bool>& stop) {
  auto s = state_;
  s->stop = &stop;
  auto log = logging::get("jobs");
  const auto started = std::chrono::steady_clock::now();
  {
    auto lease = s->pool->acquire();
    if (const auto n = JobQueue(*lease).requeue_stale(s->options.stale_after); n > 0) {
      log->warn("requeued {} job(s) left running by a worker that stopped answering", n);
    }
  }
  log->info("job worker {} started: concurrency {}, poll every {} ms", s->options.worker_id, s->options.concurrency,
            s->options.poll_interval.count());

  std::thread listener([s] { listen_loop(s); });
  std::vector<std::thread> threads;
  s->threads_alive = s->options.concurrency;
  for (int i = 0; i < s->options.concurrency; ++i) {
    threads.emplace_back([s] {
      work_loop(s);
      {
        std::lock_guard lock(s->mutex);
        --s->threads_alive;
      }
      s->finished.notify_all();
    });
  }

  // Wait for the threads to finish on their own (max_jobs, until_empty) or
  // for a stop request.
  {
    std::unique_lock lock(s->mutex);
    while (s->threads_alive > 0 && !stop) s->finished.wait_for(lock, std::chrono::milliseconds(50));
  }
  s->stopping = true;
  s->wake.notify_all();
  bool drained = true;
  {
    std::unique_lock lock(s->mutex);
    if (s->jobs_in_flight > 0) {
      log->info("stopping: waiting up to {} ms for {} running job(s)", s->options.shutdown_grace.count(),
                s->jobs_in_flight);
    }
    drained = s->finished.wait_for(lock, s->options.shutdown_grace, [&] { return s->threads_alive == 0; });
  }
  listener.join();
  WorkerStats stats;
  if (drained) {
    for (auto& t : threads) t.join();
    std::lock_guard lock(s->mutex);
    stats = s->stats;
  } else {
    // The jobs still running keep the shared state alive; their rows go
    // back to the queue so another worker runs them again.
    for (auto& t : threads) t.detach();
    std::lock_guard lock(s->mutex);
    stats = s->stats;
    stats.abandoned = s->jobs_in_flight;
    try {
      pqxx::connection conn(s->options.database_url);
      const auto n = JobQueue(conn).release(s->options.worker_id);
      log->error("grace period over: {} job(s) still running were put back in the queue", n);
    } catch (const std::exception& e) {
      log->error("grace period over; could not put the running jobs back in the queue: {}", e.what());
    }
  }
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  log->info("job worker {} stopped: {} job(s) in {:.1f}s", s->options.worker_id, stats.jobs, stats.seconds);
  return stats;
}

}  // namespace promptsales::jobs
