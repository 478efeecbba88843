#include "promptsales/common/metrics/family.hpp"

namespace promptsales::metrics::detail {

void check_label_values(std::string_view family, std::size_t expected,
                        std::span<const std::string_view> values) {
  if (values.size() != expected) {
    throw std::invalid_argument("metric \"" + std::string(family) + "\" takes " +
                                std::to_string(expected) + " label values, got " +
                                std::to_string(values.size()));
  }
  for (std::string_view value : values) {
    if (!is_valid_utf8(value)) {
      throw std::invalid_argument("a label value of metric \"" + std::string(family) +
                                  "\" is not valid UTF-8");
    }
  }
}

LabelPairs make_label_pairs(const std::vector<std::string>& names,
                            const std::vector<std::string>& values) {
  LabelPairs pairs;
  pairs.reserve(names.size() + 1);  // + 1: histograms append "le" to a copy
  for (std::size_t i = 0; i < names.size(); ++i) {
    pairs.emplace_back(names[i], values[i]);
  }
  return pairs;
}

}  // namespace promptsales::metrics::detail
