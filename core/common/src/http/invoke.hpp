#pragma once
// Runs route handlers and turns whatever they throw into a client-safe JSON
// error response. This is the server's one error boundary for handlers.

#include <exception>
#include <optional>

#include "promptsales/common/http/message.hpp"
#include "promptsales/common/http/router.hpp"

namespace promptsales::http::detail {

/// Runs the route's `fast` handler; nullopt means "run `blocking` instead".
/// A route without a `fast` handler gives nullopt.
std::optional<Response> invoke_fast(const Route& route, const Request& request) noexcept;

/// Runs the route's `async` handler on the I/O thread. False (or no async
/// handler) means "run `blocking` instead"; a throw answers through
/// `responder` and counts as taken.
bool invoke_async(const Route& route, const Request& request, const Responder& responder) noexcept;

/// The client-safe response for an error an async handler reported through
/// Responder::fail (the same mapping and logging as a throwing handler).
Response error_response(const Route& route, const Request& request, std::exception_ptr error) noexcept;

/// Runs the route's `blocking` handler. A route without one (its `fast`
/// handler declined) is a programming error answered with 500.
Response invoke_blocking(const Route& route, const Request& request) noexcept;

}  // namespace promptsales::http::detail
