#include "promptsales/common/outbound/backoff.hpp"

#include <algorithm>
#include <random>

namespace promptsales::outbound {

std::chrono::milliseconds backoff_ceiling(const BackoffPolicy& policy, int attempt) noexcept {
  const auto cap = std::max(policy.cap, std::chrono::milliseconds(0));
  auto ceiling = std::max(policy.base, std::chrono::milliseconds(0));
  for (int i = 1; i < attempt && ceiling < cap; ++i) ceiling *= 2;
  return std::min(ceiling, cap);
}

std::chrono::milliseconds full_jitter(const BackoffPolicy& policy, int attempt, double u) noexcept {
  u = std::clamp(u, 0.0, 1.0);
  const auto ceiling = backoff_ceiling(policy, attempt).count();
  return std::chrono::milliseconds(static_cast<std::chrono::milliseconds::rep>(u * static_cast<double>(ceiling)));
}

std::chrono::milliseconds random_backoff(const BackoffPolicy& policy, int attempt) {
  thread_local std::mt19937_64 generator{std::random_device{}()};
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  return full_jitter(policy, attempt, unit(generator));
}

}  // namespace promptsales::outbound
