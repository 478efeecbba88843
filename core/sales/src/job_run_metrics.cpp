#include "promptsales/sales/job_run_metrics.hpp"

#include <pqxx/pqxx>

#include "promptsales/common/db/pool.hpp"
#include "promptsales/common/logging.hpp"

namespace promptsales::sales {

JobRunTotals read_job_run_totals(db::Pool& control) {
  return control.with_connection([](pqxx::connection& conn) {
    pqxx::nontransaction tx(conn);
    JobRunTotals t;
    for (const auto& r : tx.exec("SELECT job, outcome, count(*), "
                                 "extract(epoch FROM max(finished_at) FILTER (WHERE outcome = 'succeeded')) "
                                 "FROM job_runs WHERE outcome IS NOT NULL GROUP BY job, outcome")) {
      const std::string job = r[0].c_str();
      t.runs[{job, r[1].c_str()}] = r[2].as<double>();
      if (!r[3].is_null()) t.last_success[job] = r[3].as<double>();
    }
    return t;
  });
}

JobRunMetrics::JobRunMetrics(db::Pool& control, std::chrono::milliseconds interval)
    : control_(control), interval_(interval), refresher_([this] { refresh_loop(); }) {}

JobRunMetrics::~JobRunMetrics() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  refresher_.join();
}

void JobRunMetrics::refresh_loop() {
  auto log = logging::get("metrics");
  bool warned = false;
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    try {
      auto fresh = read_job_run_totals(control_);
      lock.lock();
      snapshot_ = std::move(fresh);
      warned = false;
    } catch (const std::exception& e) {
      lock.lock();
      if (!warned) log->warn("job run metrics keep their last values: cannot read job_runs: {}", e.what());
      warned = true;
    }
    wake_.wait_for(lock, interval_, [this] { return stopping_; });
  }
}

std::vector<metrics::FamilyDescriptor> JobRunMetrics::describe() const {
  return {{"promptsales_job_runs_total", metrics::MetricType::counter},
          {"promptsales_job_last_success_timestamp_seconds", metrics::MetricType::gauge}};
}

void JobRunMetrics::collect(std::vector<metrics::MetricFamilySnapshot>& out) const {
  metrics::MetricFamilySnapshot runs{"promptsales_job_runs_total",
                                     "Finished job runs in the run records, by job and outcome.",
                                     metrics::MetricType::counter,
                                     {}};
  metrics::MetricFamilySnapshot last{"promptsales_job_last_success_timestamp_seconds",
                                     "When each job last finished successfully (unix time).",
                                     metrics::MetricType::gauge,
                                     {}};
  {
    std::lock_guard lock(mutex_);
    for (const auto& [key, count] : snapshot_.runs)
      runs.samples.push_back({"", {{"job_name", key.first}, {"outcome", key.second}}, count});
    for (const auto& [job, at] : snapshot_.last_success) last.samples.push_back({"", {{"job_name", job}}, at});
  }
  out.push_back(std::move(runs));
  out.push_back(std::move(last));
}

}  // namespace promptsales::sales
