#include "promptsales/common/metrics/gauge.hpp"

namespace promptsales::metrics {

void Gauge::collect(const LabelPairs& labels, std::vector<Sample>& out) const {
  out.push_back(Sample{"", labels, value()});
}

}  // namespace promptsales::metrics
