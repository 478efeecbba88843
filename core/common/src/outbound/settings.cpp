#include "promptsales/common/outbound/settings.hpp"

#include "promptsales/common/config.hpp"

namespace promptsales::outbound {

ClientSettings ClientSettings::from_config(const Config& config) {
  using std::chrono::milliseconds;
  ClientSettings s;
  s.timeout = milliseconds(config.integer("outbound_timeout_ms", 1, 3'600'000));
  s.connect_timeout = milliseconds(config.integer("outbound_connect_timeout_ms", 1, 600'000));
  s.attempts = static_cast<int>(config.integer("outbound_attempts", 1, 10));
  s.backoff.base = milliseconds(config.integer("outbound_backoff_base_ms", 0, 60'000));
  s.backoff.cap = milliseconds(config.integer("outbound_backoff_max_ms", 0, 600'000));
  s.breaker.failure_threshold = static_cast<int>(config.integer("outbound_breaker_failures", 1, 1000));
  s.breaker.cooldown = milliseconds(config.integer("outbound_breaker_cooldown_ms", 0, 3'600'000));
  s.ca_file = config.str("outbound_ca_file");
  return s;
}

}  // namespace promptsales::outbound
