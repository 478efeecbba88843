#pragma once
// The Date header value (RFC 9110 IMF-fixdate), formatted at most once per
// second per thread.

#include <string_view>

namespace promptsales::http::detail {

/// "Sun, 06 Nov 1994 08:49:37 GMT" for the current second. The view stays
/// valid on the calling thread until the next call.
std::string_view http_date_now() noexcept;

}  // namespace promptsales::http::detail
