#pragma once
/// The job runner's outcomes as Prometheus metrics, exported by `serve`:
/// jobs run as short-lived processes (CronJobs, `jobs run`), so their record
/// is the `job_runs` table, and every serve pod re-exports it:
///   promptsales_job_runs_total{job_name, outcome}
///   promptsales_job_last_success_timestamp_seconds{job_name}
/// /metrics is answered on an I/O thread, which must never wait for the
/// database: a background thread refreshes a snapshot every `interval`, and a
/// scrape copies it. While the database is unreachable the last snapshot
/// stays (a gap in the success timestamp would read as "no backup").

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "promptsales/common/metrics/collector.hpp"

namespace promptsales::db {
class Pool;
}

namespace promptsales::sales {

struct JobRunTotals {
  std::map<std::pair<std::string, std::string>, double> runs;  ///< (job, outcome) -> count
  std::map<std::string, double> last_success;                  ///< job -> unix seconds
};

/// One query of the run records (may block).
JobRunTotals read_job_run_totals(db::Pool& control);

class JobRunMetrics final : public metrics::Collector {
 public:
  JobRunMetrics(db::Pool& control, std::chrono::milliseconds interval);
  ~JobRunMetrics() override;

  std::vector<metrics::FamilyDescriptor> describe() const override;
  void collect(std::vector<metrics::MetricFamilySnapshot>& out) const override;

 private:
  void refresh_loop();

  db::Pool& control_;
  std::chrono::milliseconds interval_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  JobRunTotals snapshot_;
  std::thread refresher_;
};

}  // namespace promptsales::sales
