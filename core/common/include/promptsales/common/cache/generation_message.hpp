#pragma once
/// Scope names and the pub/sub message that announces generation bumps.
/// A message is one line per scope: "<generation> <scope>\n".

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace promptsales::cache {

/// Longest scope name accepted; scopes are short labels such as "org:42".
inline constexpr std::size_t max_scope_length = 200;

/// True for a non-empty scope of at most max_scope_length bytes without line breaks.
bool is_valid_scope(std::string_view scope) noexcept;

/// One announced bump: `scope` is now at `generation` (or later).
struct GenerationUpdate {
  std::uint64_t generation = 0;
  std::string scope;
};

/// Parses a bump announcement. Malformed lines are skipped, not fatal: a
/// foreign publisher on the channel must not stop the subscriber.
std::vector<GenerationUpdate> parse_generation_message(std::string_view message);

}  // namespace promptsales::cache
