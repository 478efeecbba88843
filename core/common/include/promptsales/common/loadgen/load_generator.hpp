#pragma once
/// The HTTP/1.1 keep-alive load generator behind `promptsales benchmark`.

#include "promptsales/common/loadgen/load_options.hpp"
#include "promptsales/common/loadgen/run_result.hpp"

namespace promptsales::loadgen {

/// Runs the load described by `options` and blocks until it ends (warm-up plus
/// duration). Throws ValidationError for unusable options and Unavailable when
/// the server cannot be reached at the start; once running, connection
/// failures are counted and the connection is reopened, never fatal.
RunResult run_load(const LoadOptions& options);

}  // namespace promptsales::loadgen
