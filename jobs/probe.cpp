// `probe`: one trivial query on the control database. A health check for
// the runner itself (can it reach the database, record a run, drain the
// queue?) and the unit of the worker benchmark: its own cost is negligible,
// so what a benchmark of probes measures is the runner's overhead.
#include <pqxx/pqxx>

#include "promptsales/common/db/pool.hpp"
#include "promptsales/common/jobs/job.hpp"

namespace promptsales::jobs {
namespace {

class ProbeJob final : public Job {
 public:
  std::string name() const override { return "probe"; }
  std::string description() const override {
    return "Diagnostic: run one trivial query on the control database (the worker benchmark's unit)";
  }
  // Read-only and independent: many may run at once.
  Concurrency concurrency() const override { return Concurrency::parallel; }

  JobResult run(JobContext& ctx) const override {
    const auto value = ctx.control.with_connection([](pqxx::connection& conn) {
      pqxx::nontransaction tx(conn);
      return tx.exec1("SELECT 1")[0].as<int>();
    });
    JobResult out;
    out.processed = value == 1 ? 1 : 0;
    out.failed = value == 1 ? 0 : 1;
    if (out.failed) out.outcome = Outcome::failed;
    out.message = "control database answered";
    return out;
  }
};

}  // namespace

std::unique_ptr<Job> make_probe_job() { return std::make_unique<ProbeJob>(); }

}  // namespace promptsales::jobs
