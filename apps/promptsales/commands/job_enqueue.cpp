#include "commands/job_enqueue.hpp"

#include "app_context.hpp"
#include "commands/control_access.hpp"
#include "promptsales/common/jobs/job_queue.hpp"
#include "promptsales/jobs/catalog.hpp"

namespace promptsales::app {

QueuedJobInfo enqueue_job(AppContext& ctx, const JobToQueue& request) {
  const auto catalog = jobs::make_catalog();
  const auto& job = catalog.get(request.job);
  jobs::validate_params(job.name(), job.params(), request.params);
  jobs::EnqueueRequest row;
  row.job = job.name();
  row.params = nlohmann::json::object();
  for (const auto& [k, v] : request.params) row.params[k] = v;
  row.run_after = request.run_after;
  row.max_attempts = request.max_attempts
                         ? *request.max_attempts
                         : static_cast<int>(ctx.config().integer("jobs_max_attempts", 1, 100));
  auto control = open_control(ctx);
  auto lease = control->acquire();
  QueuedJobInfo out;
  out.id = jobs::JobQueue(*lease).enqueue(row);
  out.job = row.job;
  out.params = request.params;
  out.run_after = row.run_after;
  out.max_attempts = row.max_attempts;
  return out;
}

}  // namespace promptsales::app
