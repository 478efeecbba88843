#include "promptsales/common/metrics/counter.hpp"

#include <stdexcept>
#include <string>

namespace promptsales::metrics {

double Counter::value() const noexcept {
  return static_cast<double>(ones_.load(std::memory_order_relaxed)) +
         amounts_.load(std::memory_order_relaxed);
}

void Counter::collect(const LabelPairs& labels, std::vector<Sample>& out) const {
  out.push_back(Sample{"", labels, value()});
}

void Counter::throw_negative(double amount) {
  throw std::invalid_argument("counter increment must be non-negative, got " +
                              std::to_string(amount));
}

}  // namespace promptsales::metrics
