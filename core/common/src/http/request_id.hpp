#pragma once
// X-Request-Id: reuse the caller's id when it is safe to echo and log,
// otherwise make one without locks or system calls.

#include <string>
#include <string_view>

namespace promptsales::http::detail {

/// Longest incoming id that is reused; longer ones are replaced.
inline constexpr std::size_t kMaxRequestIdLength = 64;

/// True for 1..kMaxRequestIdLength visible ASCII characters (no spaces or
/// controls), so echoing it cannot split headers or forge log lines.
bool acceptable_request_id(std::string_view id) noexcept;

/// Replaces `out` with a new id, unique within the process: a random
/// per-thread prefix and a per-thread counter, both in hex (24+ characters).
void generate_request_id(std::string& out);

}  // namespace promptsales::http::detail
