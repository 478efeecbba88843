#include "promptsales/common/jobs/outcome.hpp"

#include <pqxx/except>

namespace promptsales::jobs {

std::string_view to_string(Outcome outcome) noexcept {
  switch (outcome) {
    case Outcome::succeeded: return "succeeded";
    case Outcome::failed: return "failed";
    case Outcome::config_error: return "config_error";
    case Outcome::partial: return "partial";
    case Outcome::skipped: return "skipped";
  }
  return "failed";
}

std::optional<Outcome> outcome_from_string(std::string_view text) noexcept {
  for (auto o : {Outcome::succeeded, Outcome::failed, Outcome::config_error, Outcome::partial, Outcome::skipped}) {
    if (to_string(o) == text) return o;
  }
  return std::nullopt;
}

ExitCode exit_code_of(Outcome outcome) noexcept {
  switch (outcome) {
    case Outcome::succeeded:
    case Outcome::skipped: return ExitCode::success;
    case Outcome::failed: return ExitCode::failure;
    case Outcome::config_error: return ExitCode::usage;
    case Outcome::partial: return ExitCode::partial;
  }
  return ExitCode::failure;
}

Outcome outcome_of(const std::exception& e) noexcept {
  if (const auto* err = dynamic_cast<const Error*>(&e)) {
    switch (err->exit_code()) {
      case ExitCode::usage:
      case ExitCode::not_found: return Outcome::config_error;
      default: return Outcome::failed;
    }
  }
  // A SQL error in a job's own statement (syntax, missing table) will not
  // go away by retrying; a broken connection or a timeout might.
  if (dynamic_cast<const pqxx::syntax_error*>(&e) || dynamic_cast<const pqxx::undefined_table*>(&e) ||
      dynamic_cast<const pqxx::undefined_column*>(&e) || dynamic_cast<const pqxx::insufficient_privilege*>(&e)) {
    return Outcome::config_error;
  }
  return Outcome::failed;
}

}  // namespace promptsales::jobs
