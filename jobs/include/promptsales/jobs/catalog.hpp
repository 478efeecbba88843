#pragma once
/// Every job this binary can run, for `jobs list|run|worker|scheduler`.

#include "promptsales/common/jobs/job_catalog.hpp"

namespace promptsales::jobs {

/// The catalog with every job of jobs/ registered.
JobCatalog make_catalog();

}  // namespace promptsales::jobs
