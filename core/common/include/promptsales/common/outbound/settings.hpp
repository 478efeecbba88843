#pragma once
/// Defaults of the outbound client, from the configuration's outbound_* keys.

#include <chrono>
#include <string>

#include "promptsales/common/outbound/backoff.hpp"
#include "promptsales/common/outbound/circuit_breaker.hpp"

namespace promptsales {
class Config;
}

namespace promptsales::outbound {

struct ClientSettings {
  std::chrono::milliseconds timeout{1000};          ///< whole attempt, unless the request says otherwise
  std::chrono::milliseconds connect_timeout{1000};
  int attempts = 3;                                 ///< sends of one retryable request
  BackoffPolicy backoff;
  CircuitBreaker::Options breaker;
  std::string ca_file;                              ///< empty: the system's CA bundle

  /// Reads outbound_timeout_ms, outbound_connect_timeout_ms, outbound_attempts,
  /// outbound_backoff_base_ms, outbound_backoff_max_ms, outbound_breaker_failures,
  /// outbound_breaker_cooldown_ms and outbound_ca_file; ConfigError naming a bad one.
  static ClientSettings from_config(const Config& config);
};

}  // namespace promptsales::outbound
