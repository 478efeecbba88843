// `promptsales jobs list|run|enqueue|history|worker|scheduler`: the job
// runner's adapters. The runner itself is core/common's promptsales_jobs;
// the jobs are in jobs/. Exit codes: README "Jobs".
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <thread>

#include <CLI/CLI.hpp>
#include <pqxx/pqxx>

#include "app_context.hpp"
#include "commands/commands.hpp"
#include "commands/control_access.hpp"
#include "commands/job_enqueue.hpp"
#include "output.hpp"
#include "promptsales/common/jobs/job_queue.hpp"
#include "promptsales/common/jobs/job_runner.hpp"
#include "promptsales/common/jobs/scheduler.hpp"
#include "promptsales/common/jobs/worker.hpp"
#include "promptsales/common/logging.hpp"
#include "promptsales/common/time.hpp"
#include "promptsales/jobs/catalog.hpp"

namespace promptsales::app {
namespace {

using namespace promptsales::jobs;

struct JobsOptions {
  std::string job;
  std::vector<std::string> params;
  bool dry_run = false;
  std::optional<std::string> run_after;
  std::optional<int> max_attempts;
  std::optional<std::string> since;
  int limit = 50;
  std::optional<int> concurrency;
  bool once = false;
  std::optional<std::int64_t> max_jobs;
};

// Set from the SIGTERM/SIGINT handler: a lock-free atomic store is
// async-signal-safe, and the loops poll it.
std::atomic<bool> g_stop{false};
static_assert(std::atomic<bool>::is_always_lock_free);

void on_stop_signal(int) { g_stop.store(true); }

void install_stop_handlers() {
  struct sigaction sa = {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
}

std::map<std::string, std::string> parse_params(const JobsOptions& o, const Job& job) {
  std::map<std::string, std::string> out;
  for (const auto& text : o.params) {
    auto [k, v] = parse_param_assignment(text);
    out[k] = v;
  }
  if (o.dry_run) {
    const auto specs = job.params();
    const bool supported =
        std::any_of(specs.begin(), specs.end(), [](const ParamSpec& s) { return s.name == "dry-run"; });
    if (!supported) throw ValidationError("--dry-run", "job " + job.name() + " has no dry run");
    out["dry-run"] = "true";
  }
  return out;
}

const char* kind_name(ParamKind k) {
  switch (k) {
    case ParamKind::integer: return "integer";
    case ParamKind::boolean: return "boolean";
    case ParamKind::text: return "text";
  }
  return "text";
}

nlohmann::json to_json(const RunRecord& r) {
  auto opt = [](const auto& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); };
  return {{"id", r.id},
          {"job", r.job},
          {"params", r.params},
          {"trigger", r.trigger},
          {"queueId", opt(r.queue_id)},
          {"runBy", r.run_by},
          {"startedAt", r.started_at},
          {"finishedAt", opt(r.finished_at)},
          {"outcome", opt(r.outcome)},
          {"exitCode", opt(r.exit_code)},
          {"processed", r.processed},
          {"failed", r.failed},
          {"counts", r.counts},
          {"message", opt(r.message)},
          {"error", opt(r.error)},
          {"durationSeconds", opt(r.duration_seconds)}};
}

void run_list(AppContext& ctx) {
  const auto catalog = make_catalog();
  const auto schedule = parse_schedule(ctx.config().str("jobs_schedule"), &catalog);
  std::map<std::string, RunRecord> last;
  try {
    auto control = open_control(ctx);
    auto lease = control->acquire();
    for (auto& r : RunRecorder(*lease).last_runs()) last.emplace(r.job, std::move(r));
  } catch (const Unavailable& e) {
    // The catalog is still worth showing without its history.
    std::cerr << "promptsales: warning: no run history (" << e.what() << ")\n";
  }
  auto cron_of = [&](const std::string& name) -> std::optional<std::string> {
    for (const auto& e : schedule) {
      if (e.job == name) return e.cron.text();
    }
    return std::nullopt;
  };
  if (ctx.json()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto* job : catalog.all()) {
      nlohmann::json params = nlohmann::json::array();
      for (const auto& p : job->params()) {
        params.push_back({{"name", p.name},
                          {"kind", kind_name(p.kind)},
                          {"description", p.description},
                          {"default", p.default_value ? nlohmann::json(*p.default_value) : nlohmann::json(nullptr)}});
      }
      const auto it = last.find(job->name());
      const auto cron = cron_of(job->name());
      out.push_back({{"name", job->name()},
                     {"description", job->description()},
                     {"concurrency", job->concurrency() == Concurrency::exclusive ? "exclusive" : "parallel"},
                     {"params", params},
                     {"schedule", cron ? nlohmann::json(*cron) : nlohmann::json(nullptr)},
                     {"lastRun", it == last.end() ? nlohmann::json(nullptr) : to_json(it->second)}});
    }
    print_json(out);
    return;
  }
  Table table({"JOB", "SCHEDULE (UTC)", "CONCURRENCY", "LAST RUN", "DESCRIPTION"});
  for (const auto* job : catalog.all()) {
    const auto it = last.find(job->name());
    const std::string last_run =
        it == last.end() ? "-" : it->second.outcome.value_or("?") + " " + it->second.finished_at.value_or("");
    table.add_row({job->name(), cron_of(job->name()).value_or("-"),
                   job->concurrency() == Concurrency::exclusive ? "exclusive" : "parallel", last_run,
                   job->description()});
  }
  table.print(std::cout);
}

void run_run(AppContext& ctx, const JobsOptions& o) {
  ctx.init_logging(true);
  const auto catalog = make_catalog();
  RunRequest request;
  request.job = o.job;
  request.params = parse_params(o, catalog.get(o.job));
  request.trigger = Trigger::cli;
  auto control = open_control(ctx);
  const auto report = JobRunner(catalog, *control, ctx.config()).run(request, g_stop);
  if (ctx.json()) {
    print_json({{"runId", report.run_id},
                {"job", report.job},
                {"outcome", to_string(report.result.outcome)},
                {"exitCode", static_cast<int>(report.exit_code())},
                {"processed", report.result.processed},
                {"failed", report.result.failed},
                {"counts", report.result.counts},
                {"message", report.result.message},
                {"error", report.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(report.error)},
                {"durationSeconds", report.duration_seconds}});
  } else {
    std::cout << report.job << " run " << report.run_id << ": " << to_string(report.result.outcome) << " (processed "
              << report.result.processed << ", failed " << report.result.failed << ")";
    if (!report.result.message.empty()) std::cout << ": " << report.result.message;
    std::cout << "\n";
  }
  if (report.exit_code() != ExitCode::success) throw ExitWith{report.exit_code()};
}

// --run-after: an ISO-8601 instant, or a delay from now ("90s", "15m", "2h", "1d").
std::string parse_run_after(const std::string& text) {
  if (text.size() >= 2 && text.size() < 10 &&
      std::all_of(text.begin(), text.end() - 1, [](unsigned char c) { return std::isdigit(c); })) {
    const long long n = std::stoll(text.substr(0, text.size() - 1));
    const char unit = text.back();
    const long long factor = unit == 's' ? 1 : unit == 'm' ? 60 : unit == 'h' ? 3600 : unit == 'd' ? 86400 : 0;
    if (factor > 0) {
      const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
      return format_iso8601_utc(now + n * factor, 0);
    }
  }
  if (auto iso = normalize_iso8601(text)) return *iso;
  throw ValidationError("--run-after", "'" + text + "' is neither an ISO-8601 instant nor a delay like 15m");
}

void run_enqueue(AppContext& ctx, const JobsOptions& o) {
  const auto catalog = make_catalog();
  JobToQueue request;
  request.job = o.job;
  request.params = parse_params(o, catalog.get(o.job));
  if (o.run_after) request.run_after = parse_run_after(*o.run_after);
  request.max_attempts = o.max_attempts;
  const auto queued = enqueue_job(ctx, request);
  if (ctx.json()) {
    print_json({{"id", queued.id ? nlohmann::json(*queued.id) : nlohmann::json(nullptr)},
                {"job", queued.job},
                {"params", queued.params},
                {"runAfter", queued.run_after ? nlohmann::json(*queued.run_after) : nlohmann::json("now")},
                {"maxAttempts", queued.max_attempts}});
    return;
  }
  std::cout << "queued " << queued.job << " as job " << queued.id.value_or(0) << "\n";
}

void run_history(AppContext& ctx, const JobsOptions& o) {
  HistoryQuery q;
  if (!o.job.empty()) q.job = o.job;
  if (o.since) q.since = parse_audit_time(*o.since, "--since");
  q.limit = o.limit;
  auto control = open_control(ctx);
  auto lease = control->acquire();
  const auto runs = RunRecorder(*lease).history(q);
  if (ctx.json()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : runs) out.push_back(to_json(r));
    print_json(out);
    return;
  }
  Table table({"ID", "JOB", "STARTED", "SECONDS", "OUTCOME", "PROCESSED", "FAILED", "TRIGGER", "MESSAGE"});
  for (const auto& r : runs) {
    std::ostringstream secs;
    if (r.duration_seconds) secs << std::fixed << std::setprecision(3) << *r.duration_seconds;
    table.add_row({std::to_string(r.id), r.job, r.started_at, r.duration_seconds ? secs.str() : "-",
                   r.outcome.value_or("running"), std::to_string(r.processed), std::to_string(r.failed), r.trigger,
                   ellipsize(r.message.value_or(""), 60)});
  }
  table.print(std::cout);
  if (runs.empty()) std::cerr << "no job runs match\n";
}

void run_worker(AppContext& ctx, const JobsOptions& o) {
  ctx.init_logging(true);
  install_stop_handlers();
  const auto catalog = make_catalog();
  auto& config = ctx.config();
  WorkerOptions options;
  options.database_url = config.str("database_url");
  options.concurrency = o.concurrency ? *o.concurrency
                                      : static_cast<int>(config.integer("jobs_worker_concurrency", 1, 256));
  options.poll_interval = config.millis("jobs_poll_interval_ms");
  options.shutdown_grace = std::chrono::seconds(config.integer("jobs_shutdown_grace_seconds", 0, 86400));
  options.backoff.base = config.millis("jobs_retry_base_ms");
  options.statement_timeout = config.millis("db_statement_timeout_ms");
  options.until_empty = o.once;
  options.max_jobs = o.max_jobs;
  Worker worker(catalog, config, options);
  const auto stats = worker.run(g_stop);
  if (ctx.json()) {
    print_json({{"jobs", stats.jobs},
                {"succeeded", stats.succeeded},
                {"failed", stats.failed},
                {"configErrors", stats.config_errors},
                {"partial", stats.partial},
                {"skipped", stats.skipped},
                {"abandoned", stats.abandoned},
                {"seconds", stats.seconds},
                {"jobsPerMinute", stats.seconds > 0 ? static_cast<double>(stats.jobs) * 60.0 / stats.seconds : 0.0}});
  } else {
    std::cout << "ran " << stats.jobs << " jobs in " << stats.seconds << " s: " << stats.succeeded << " succeeded, "
              << stats.failed << " failed, " << stats.config_errors << " configuration errors, " << stats.partial
              << " partial, " << stats.skipped << " skipped";
    if (stats.abandoned) std::cout << ", " << stats.abandoned << " abandoned at the grace period";
    std::cout << "\n";
  }
  // Jobs cut off by the grace period were put back in the queue: worth a
  // look, hence not 0.
  if (stats.abandoned > 0) throw ExitWith{ExitCode::failure};
}

void run_scheduler(AppContext& ctx, const JobsOptions& o) {
  ctx.init_logging(true);
  const auto catalog = make_catalog();
  auto entries = parse_schedule(ctx.config().str("jobs_schedule"), &catalog);
  if (entries.empty()) throw ConfigError("jobs_schedule is empty: nothing to schedule (e.g. audit-purge=0 4 * * *)");
  install_stop_handlers();
  auto log = logging::get("jobs");
  Scheduler scheduler(std::move(entries), static_cast<int>(ctx.config().integer("jobs_max_attempts", 1, 100)));
  for (const auto& e : scheduler.entries()) log->info("scheduling {} at '{}' (UTC)", e.job, e.cron.text());
  pqxx::connection conn(ctx.config().str("database_url"));
  nlohmann::json enqueued = nlohmann::json::array();
  for (;;) {
    for (const auto& e : scheduler.tick(conn, std::chrono::system_clock::now())) {
      log->info("enqueued {} for {} as job {}", e.job, e.scheduled_for, e.queue_id);
      enqueued.push_back({{"job", e.job}, {"scheduledFor", e.scheduled_for}, {"queueId", e.queue_id}});
    }
    if (o.once) break;
    // Fires are whole minutes; a tick a second keeps the delay under one.
    for (int i = 0; i < 10 && !g_stop; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (g_stop) break;
  }
  if (ctx.json()) {
    print_json({{"enqueued", enqueued}});
  } else {
    std::cout << "enqueued " << enqueued.size() << " job(s)\n";
  }
}

}  // namespace

void register_jobs_commands(CLI::App& app, AppContext& ctx) {
  auto* jobs = app.add_subcommand("jobs", "Scheduled jobs: run one now, queue them, consume the queue, schedule them");
  jobs->require_subcommand(1);
  auto o = std::make_shared<JobsOptions>();
  auto add_params = [o](CLI::App* cmd) {
    cmd->add_option("--param", o->params, "Job parameter key=value (repeatable; `jobs list --output json` shows them)")
        ->allow_extra_args(false);
    cmd->add_flag("--dry-run", o->dry_run, "Shorthand for --param dry-run=true, for jobs that have a dry run");
  };

  auto* list = jobs->add_subcommand("list", "The jobs, their schedule and their last run");
  list->callback([&ctx] { run_list(ctx); });

  auto* run = jobs->add_subcommand(
      "run", "Run a job once, now (as a CronJob does). Exit: 0 succeeded or skipped (already running), 1 failed "
             "(retry), 2 configuration error, 3 partial");
  run->add_option("job", o->job, "Job name (see `jobs list`)")->required();
  add_params(run);
  run->callback([&ctx, o] { run_run(ctx, *o); });

  auto* enqueue = jobs->add_subcommand("enqueue", "Queue a job for `jobs worker`");
  enqueue->add_option("job", o->job, "Job name (see `jobs list`)")->required();
  add_params(enqueue);
  enqueue->add_option("--run-after", o->run_after, "Not before: ISO-8601 instant, or a delay (90s, 15m, 2h, 1d)");
  enqueue->add_option("--max-attempts", o->max_attempts, "Attempts on retryable failures (default: jobs_max_attempts)")
      ->check(CLI::Range(1, 100));
  enqueue->callback([&ctx, o] { run_enqueue(ctx, *o); });

  auto* history = jobs->add_subcommand("history", "Recorded runs, newest first");
  history->add_option("--job", o->job, "Only this job");
  history->add_option("--since", o->since, "From: ISO date/instant or a duration before now (24h, 7d)");
  history->add_option("--limit", o->limit, "Most runs (1-10000)")->capture_default_str()->check(CLI::Range(1, 10000));
  history->callback([&ctx, o] { run_history(ctx, *o); });

  auto* worker = jobs->add_subcommand(
      "worker", "Consume the job queue until SIGTERM (then let running jobs finish within "
                "jobs_shutdown_grace_seconds and exit 0)");
  worker->add_option("--concurrency", o->concurrency, "Jobs run at once (default: jobs_worker_concurrency)")
      ->check(CLI::Range(1, 256));
  worker->add_flag("--once", o->once, "Exit when no job is ready instead of waiting for more");
  worker->add_option("--max-jobs", o->max_jobs, "Exit after this many jobs")->check(CLI::Range(1, 1000000000));
  worker->callback([&ctx, o] { run_worker(ctx, *o); });

  auto* scheduler = jobs->add_subcommand(
      "scheduler", "Enqueue jobs when their jobs_schedule cron expression fires (UTC), until SIGTERM; for "
                   "installations without Kubernetes. Safe to run twice");
  scheduler->add_flag("--once", o->once, "One pass: enqueue what is due now, then exit");
  scheduler->callback([&ctx, o] { run_scheduler(ctx, *o); });
}

}  // namespace promptsales::app
