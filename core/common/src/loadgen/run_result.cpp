#include "promptsales/common/loadgen/run_result.hpp"

namespace promptsales::loadgen {

void ErrorCounts::add(ErrorKind kind) noexcept {
  switch (kind) {
    case ErrorKind::connect:
      ++connect;
      break;
    case ErrorKind::read:
      ++read;
      break;
    case ErrorKind::write:
      ++write;
      break;
    case ErrorKind::timeout:
      ++timeout;
      break;
    case ErrorKind::closed:
      ++closed;
      break;
    case ErrorKind::protocol:
      ++protocol;
      break;
  }
}

std::uint64_t ErrorCounts::total() const noexcept { return connect + read + write + timeout + closed + protocol; }

ErrorCounts& ErrorCounts::operator+=(const ErrorCounts& other) noexcept {
  connect += other.connect;
  read += other.read;
  write += other.write;
  timeout += other.timeout;
  closed += other.closed;
  protocol += other.protocol;
  return *this;
}

std::uint64_t StatusCounts::in_class(int hundreds) const noexcept {
  std::uint64_t n = 0;
  for (const auto& [code, count] : codes) {
    if (code / 100 == hundreds) {
      n += count;
    }
  }
  return n;
}

std::uint64_t StatusCounts::total() const noexcept {
  std::uint64_t n = 0;
  for (const auto& entry : codes) {
    n += entry.second;
  }
  return n;
}

LatencySummary summarize(const LatencyHistogram& micros) {
  const auto ms = [](std::uint64_t us) { return static_cast<double>(us) / 1'000.0; };
  LatencySummary s;
  s.p50 = ms(micros.percentile(0.50));
  s.p90 = ms(micros.percentile(0.90));
  s.p95 = ms(micros.percentile(0.95));
  s.p99 = ms(micros.percentile(0.99));
  s.p999 = ms(micros.percentile(0.999));
  s.max = ms(micros.max());
  s.mean = micros.mean() / 1'000.0;
  return s;
}

double RunResult::error_rate() const noexcept {
  const std::uint64_t failed = (requests - status.in_class(2)) + errors.total();
  const std::uint64_t attempts = requests + errors.total();
  return attempts == 0 ? 0.0 : static_cast<double>(failed) / static_cast<double>(attempts);
}

}  // namespace promptsales::loadgen
