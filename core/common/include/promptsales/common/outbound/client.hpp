#pragma once
/// The one HTTP client every outbound integration uses (S3 now; payment and
/// LLM providers later), on libcurl: per-attempt timeouts, retries with
/// exponential backoff and full jitter, and a circuit breaker per named
/// target. TLS peers are always verified.

#include <memory>
#include <string_view>

#include "promptsales/common/outbound/circuit_breaker.hpp"
#include "promptsales/common/outbound/request.hpp"
#include "promptsales/common/outbound/settings.hpp"

namespace promptsales::metrics {
class Registry;
}

namespace promptsales::outbound {

/// How one attempt ended (the `outcome` label of promptsales_outbound_requests_total).
enum class Outcome { success, client_error, throttled, server_error, timeout, connection_error, circuit_open };
const char* to_string(Outcome outcome) noexcept;

class Client {
 public:
  /// With `registry`, registers promptsales_outbound_requests_total{target,outcome}
  /// (attempts) and promptsales_outbound_circuit_open{target} (1 while open).
  explicit Client(ClientSettings settings, metrics::Registry* registry = nullptr);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  /// Sends `request` to `target` (the breaker's name, e.g. "s3").
  ///
  /// Connection errors, timeouts, 429 and 5xx are retried (up to
  /// settings.attempts sends in all) when repeating is safe: an idempotent
  /// method (GET, HEAD, PUT, DELETE, OPTIONS), an Idempotency-Key header or
  /// `replayable`; and the body can be sent again; and no byte went to the
  /// sink yet. Each failed attempt counts towards the target's breaker.
  ///
  /// Returns the last response whatever its status (the caller knows what a
  /// 404 means). Throws Unavailable when the breaker is open (without
  /// sending) or when no attempt got a response (naming the call, the error
  /// and the attempts), ValidationError for a malformed URL, and rethrows
  /// what a body source or sink threw.
  Response send(std::string_view target, const Request& request);

  /// The breaker of `target` (closed if it has never been used).
  CircuitBreaker::State breaker_state(std::string_view target) const;

  const ClientSettings& settings() const noexcept { return settings_; }

 private:
  struct Impl;
  ClientSettings settings_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace promptsales::outbound
