#include "promptsales/common/loadgen/load_options.hpp"

namespace promptsales::loadgen {

std::vector<std::string> organization_range(std::uint64_t n) {
  std::vector<std::string> ids;
  ids.reserve(static_cast<std::size_t>(n));
  for (std::uint64_t id = 1; id <= n; ++id) {
    ids.push_back(std::to_string(id));
  }
  return ids;
}

}  // namespace promptsales::loadgen
