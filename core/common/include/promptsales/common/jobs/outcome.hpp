#pragma once
/// How a run ended, and the process exit code each outcome means
/// (README "Jobs": 0 success or skipped, 1 retryable, 2 configuration, 3 partial).

#include <exception>
#include <optional>
#include <string>
#include <string_view>

#include "promptsales/common/errors.hpp"

namespace promptsales::jobs {

enum class Outcome {
  succeeded,     ///< exit 0
  failed,        ///< exit 1: worth a retry (a dependency was down)
  config_error,  ///< exit 2: bad parameters or configuration; a retry cannot fix it
  partial,       ///< exit 3: some items failed
  skipped,       ///< exit 0: another run of the job held its lock; nothing was done
};

std::string_view to_string(Outcome outcome) noexcept;
std::optional<Outcome> outcome_from_string(std::string_view text) noexcept;
ExitCode exit_code_of(Outcome outcome) noexcept;
/// Only `failed` is retried by the queue.
inline bool is_retryable(Outcome outcome) noexcept { return outcome == Outcome::failed; }

/// The outcome of an exception escaping a job, through the project's error
/// kinds: exit code 2 (ConfigError, ValidationError, ...) and NotFound are
/// config_error; everything else (Unavailable, Conflict, driver errors) is failed.
Outcome outcome_of(const std::exception& e) noexcept;

}  // namespace promptsales::jobs
