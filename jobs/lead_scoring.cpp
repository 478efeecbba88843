// `lead-scoring`: recomputes the stored lead scores of every organization (or
// one) from their profiles and engagement events, with the configured
// weights (lead_scoring_weights). Nightly, before segmentation, so score
// rules in audiences see fresh scores.
#include <cstdint>

#include "promptsales/common/config.hpp"
#include "promptsales/common/jobs/job.hpp"
#include "promptsales/crm/lead_score_recompute.hpp"
#include "promptsales/sales/databases.hpp"

namespace promptsales::jobs {
namespace {

class LeadScoringJob final : public Job {
 public:
  std::string name() const override { return "lead-scoring"; }
  std::string description() const override {
    return "Recompute lead scores from profiles and engagement events (lead_scoring_weights)";
  }
  std::vector<ParamSpec> params() const override {
    return {{"organization", ParamKind::integer, "Only this organization's leads (default: all)", std::nullopt, 1,
             INT64_MAX},
            {"batch-size", ParamKind::integer, "Leads per transaction", "1000", 1, 100000}};
  }

  JobResult run(JobContext& ctx) const override {
    // Bad weights are a configuration error (exit 2), before anything runs.
    const auto weights = crm::parse_scoring_weights(ctx.config.str("lead_scoring_weights"));
    sales::Databases databases(ctx.config, 2);
    crm::ScoreRecomputeOptions options;
    options.organization_id = ctx.params.integer("organization");
    options.batch_size = static_cast<std::size_t>(*ctx.params.integer("batch-size"));
    const auto s = crm::recompute_scores(databases.crm(), weights, options);
    JobResult out;
    out.processed = static_cast<std::int64_t>(s.leads);
    out.counts = {{"leads", s.leads}, {"changed", s.changed}};
    out.message = std::to_string(s.leads) + " leads scored, " + std::to_string(s.changed) + " changed";
    return out;
  }
};

}  // namespace

std::unique_ptr<Job> make_lead_scoring_job() { return std::make_unique<LeadScoringJob>(); }

}  // namespace promptsales::jobs
