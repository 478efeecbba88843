#include "promptsales/common/cache/generation_message.hpp"

#include <charconv>

namespace promptsales::cache {

bool is_valid_scope(std::string_view scope) noexcept {
  return !scope.empty() && scope.size() <= max_scope_length && scope.find_first_of("\r\n") == std::string_view::npos;
}

std::vector<GenerationUpdate> parse_generation_message(std::string_view message) {
  std::vector<GenerationUpdate> updates;
  while (!message.empty()) {
    const auto end = message.find('\n');
    const std::string_view line = message.substr(0, end);
    message = end == std::string_view::npos ? std::string_view() : message.substr(end + 1);

    const auto space = line.find(' ');
    if (space == std::string_view::npos) {
      continue;
    }
    GenerationUpdate update;
    const auto [ptr, ec] = std::from_chars(line.data(), line.data() + space, update.generation);
    const std::string_view scope = line.substr(space + 1);
    if (ec != std::errc{} || ptr != line.data() + space || !is_valid_scope(scope)) {
      continue;
    }
    update.scope = std::string(scope);
    updates.push_back(std::move(update));
  }
  return updates;
}

}  // namespace promptsales::cache
