#include "promptsales/common/outbound/request.hpp"

namespace promptsales::outbound {

const std::string* Response::header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (n == name) return &v;
  }
  return nullptr;
}

}  // namespace promptsales::outbound
