// `segmentation`: materialises every audience's membership from the leads
// and appends each audience's size to its history (nightly CronJob).
#include <cstdint>

#include "promptsales/common/config.hpp"
#include "promptsales/common/jobs/job.hpp"
#include "promptsales/common/logging.hpp"
#include "promptsales/sales/audience_service.hpp"
#include "promptsales/sales/databases.hpp"

namespace promptsales::jobs {
namespace {

class SegmentationJob final : public Job {
 public:
  std::string name() const override { return "segmentation"; }
  std::string description() const override {
    return "Materialise every audience's membership from the leads and record its size";
  }
  std::vector<ParamSpec> params() const override {
    return {{"organization", ParamKind::integer, "Only this organization's audiences (default: all)", std::nullopt,
             1, INT64_MAX}};
  }

  JobResult run(JobContext& ctx) const override {
    sales::Databases databases(ctx.config, 2);
    sales::AudienceService audiences(databases.ads(), databases.crm());
    auto log = logging::get("segmentation");
    const auto report = audiences.segment(ctx.params.integer("organization"), [&](std::size_t done, std::size_t total) {
      if (done == total || done % 10 == 0) log->info("segmentation: {}/{} audiences", done, total);
    });
    auto out = JobResult::from_counts(report.audiences - report.failed, report.failed,
                                      std::to_string(report.audiences) + " audiences, " +
                                          std::to_string(report.memberships) + " memberships");
    out.counts = {{"audiences", report.audiences},
                  {"memberships", report.memberships},
                  {"failed", report.failed},
                  {"staleMembershipsRemoved", report.stale_memberships_removed},
                  {"computedAt", report.computed_at}};
    return out;
  }
};

}  // namespace

std::unique_ptr<Job> make_segmentation_job() { return std::make_unique<SegmentationJob>(); }

}  // namespace promptsales::jobs
