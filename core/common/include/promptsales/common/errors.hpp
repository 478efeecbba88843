#pragma once
/// The project's error kinds. Each maps to one CLI exit code and one HTTP
/// status, so adapters never decide that on their own.

#include <stdexcept>
#include <string>

namespace promptsales {

/// Documented process exit codes (README "Exit codes").
enum class ExitCode : int {
  success = 0,
  failure = 1,       ///< unexpected or retryable failure (a dependency down, I/O)
  usage = 2,         ///< bad flags, invalid input or configuration: a retry cannot fix it
  partial = 3,       ///< a batch finished with some items failed
  not_found = 4,     ///< the named object does not exist
  conflict = 5,      ///< the object exists or changed concurrently
};

/// Base of all expected errors. `what()` is safe to show to a client; details
/// that may hold internals go to `detail()` and only to the log.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message, std::string detail = {})
      : std::runtime_error(message), detail_(std::move(detail)) {}
  virtual int http_status() const noexcept { return 500; }
  virtual ExitCode exit_code() const noexcept { return ExitCode::failure; }
  /// Stable machine-readable code for JSON error bodies.
  virtual const char* code() const noexcept { return "internal"; }
  const std::string& detail() const noexcept { return detail_; }

 private:
  std::string detail_;
};

/// Bad input: names the field and what is wrong with it.
class ValidationError : public Error {
 public:
  ValidationError(std::string field, const std::string& message)
      : Error(field.empty() ? message : field + ": " + message), field_(std::move(field)) {}
  int http_status() const noexcept override { return 400; }
  ExitCode exit_code() const noexcept override { return ExitCode::usage; }
  const char* code() const noexcept override { return "invalid_argument"; }
  const std::string& field() const noexcept { return field_; }

 private:
  std::string field_;
};

/// Configuration that cannot work (missing URL, unreadable file).
class ConfigError : public Error {
 public:
  using Error::Error;
  ExitCode exit_code() const noexcept override { return ExitCode::usage; }
  const char* code() const noexcept override { return "configuration"; }
};

class NotFound : public Error {
 public:
  using Error::Error;
  int http_status() const noexcept override { return 404; }
  ExitCode exit_code() const noexcept override { return ExitCode::not_found; }
  const char* code() const noexcept override { return "not_found"; }
};

class Conflict : public Error {
 public:
  using Error::Error;
  int http_status() const noexcept override { return 409; }
  ExitCode exit_code() const noexcept override { return ExitCode::conflict; }
  const char* code() const noexcept override { return "conflict"; }
};

class Unauthorized : public Error {
 public:
  using Error::Error;
  int http_status() const noexcept override { return 401; }
  ExitCode exit_code() const noexcept override { return ExitCode::usage; }
  const char* code() const noexcept override { return "unauthorized"; }
};

class Forbidden : public Error {
 public:
  using Error::Error;
  int http_status() const noexcept override { return 403; }
  ExitCode exit_code() const noexcept override { return ExitCode::usage; }
  const char* code() const noexcept override { return "forbidden"; }
};

/// A dependency (PostgreSQL, Redis, a provider) cannot be reached. Retryable.
class Unavailable : public Error {
 public:
  using Error::Error;
  int http_status() const noexcept override { return 503; }
  ExitCode exit_code() const noexcept override { return ExitCode::failure; }
  const char* code() const noexcept override { return "unavailable"; }
};

}  // namespace promptsales
