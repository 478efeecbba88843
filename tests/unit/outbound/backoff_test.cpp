// Exponential backoff with full jitter.
#include <catch2/catch.hpp>

#include "promptsales/common/outbound/backoff.hpp"

using namespace promptsales::outbound;
using namespace std::chrono_literals;

TEST_CASE("backoff: the ceiling doubles per attempt up to the cap", "[outbound][backoff]") {
  const BackoffPolicy policy{100ms, 1000ms};
  CHECK(backoff_ceiling(policy, 1) == 100ms);
  CHECK(backoff_ceiling(policy, 2) == 200ms);
  CHECK(backoff_ceiling(policy, 3) == 400ms);
  CHECK(backoff_ceiling(policy, 4) == 800ms);
  CHECK(backoff_ceiling(policy, 5) == 1000ms);
  CHECK(backoff_ceiling(policy, 60) == 1000ms);
}

TEST_CASE("backoff: full jitter spans zero to the ceiling", "[outbound][backoff]") {
  const BackoffPolicy policy{100ms, 1000ms};
  CHECK(full_jitter(policy, 3, 0.0) == 0ms);
  CHECK(full_jitter(policy, 3, 0.5) == 200ms);
  CHECK(full_jitter(policy, 3, 0.999) == 399ms);
}

TEST_CASE("backoff: random waits stay in bounds and grow on average", "[outbound][backoff]") {
  const BackoffPolicy policy{100ms, 10000ms};
  double previous_mean = 0;
  for (int attempt = 1; attempt <= 4; ++attempt) {
    double sum = 0;
    const int samples = 2000;
    for (int i = 0; i < samples; ++i) {
      const auto wait = random_backoff(policy, attempt);
      REQUIRE(wait >= 0ms);
      REQUIRE(wait <= backoff_ceiling(policy, attempt));
      sum += static_cast<double>(wait.count());
    }
    const double mean = sum / samples;
    // Full jitter's mean is half the ceiling: 50, 100, 200, 400 ms.
    CHECK(mean == Approx(backoff_ceiling(policy, attempt).count() / 2.0).epsilon(0.15));
    CHECK(mean > previous_mean);
    previous_mean = mean;
  }
}
