#pragma once
/// Exponential backoff with full jitter between attempts of one request:
/// the wait after failed attempt n is uniform in [0, min(cap, base * 2^(n-1))],
/// so clients that failed together do not retry together.

#include <chrono>

namespace promptsales::outbound {

struct BackoffPolicy {
  std::chrono::milliseconds base{100};
  std::chrono::milliseconds cap{2000};
};

/// The upper bound of the wait after failed attempt `attempt` (1-based).
std::chrono::milliseconds backoff_ceiling(const BackoffPolicy& policy, int attempt) noexcept;

/// The wait for `u` in [0, 1): u * ceiling.
std::chrono::milliseconds full_jitter(const BackoffPolicy& policy, int attempt, double u) noexcept;

/// full_jitter with a random u (a per-thread generator).
std::chrono::milliseconds random_backoff(const BackoffPolicy& policy, int attempt);

}  // namespace promptsales::outbound
