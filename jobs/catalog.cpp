// The registration table. Adding a job: write jobs/<name>.cpp defining its
// factory, then add one line below.
#include "promptsales/jobs/catalog.hpp"

namespace promptsales::jobs {

std::unique_ptr<Job> make_audit_purge_job();
std::unique_ptr<Job> make_probe_job();
std::unique_ptr<Job> make_segmentation_job();
std::unique_ptr<Job> make_lead_scoring_job();
std::unique_ptr<Job> make_lead_import_job();
std::unique_ptr<Job> make_backup_job();
std::unique_ptr<Job> make_backup_prune_job();
std::unique_ptr<Job> make_backup_drill_job();

JobCatalog make_catalog() {
  JobCatalog catalog;
  for (auto* factory : {&make_audit_purge_job, &make_probe_job, &make_segmentation_job, &make_lead_scoring_job,
                        &make_lead_import_job, &make_backup_job, &make_backup_prune_job, &make_backup_drill_job}) {
    catalog.add(factory());
  }
  return catalog;
}

}  // namespace promptsales::jobs
