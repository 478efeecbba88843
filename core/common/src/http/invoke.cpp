#include "invoke.hpp"

#include <exception>

#include "log.hpp"
#include "promptsales/common/errors.hpp"

namespace promptsales::http::detail {
namespace {

constexpr const char* kInternalMessage = "internal server error";

/// Must be called from a catch block. promptsales::Error messages are written
/// to be shown to clients; anything else may hold internals, so the client
/// gets a generic message and the log gets the details.
Response current_exception_response(const Route& route, const Request& request) noexcept {
  try {
    try {
      throw;
    } catch (const promptsales::Error& e) {
      const int status = e.http_status();
      if (status >= 500) {
        logger().error("route {} request {}: {} ({}){}{}", route.name, request.request_id, e.what(), e.code(),
                       e.detail().empty() ? "" : ": ", e.detail());
      } else {
        logger().debug("route {} request {}: {} ({})", route.name, request.request_id, e.what(), e.code());
      }
      return Response::error(status, e.code(), e.what());
    } catch (const std::exception& e) {
      logger().error("route {} request {}: unhandled exception: {}", route.name, request.request_id, e.what());
    } catch (...) {
      logger().error("route {} request {}: unhandled non-standard exception", route.name, request.request_id);
    }
    return Response::error(500, "internal", kInternalMessage);
  } catch (...) {
    // Building the response or logging failed (out of memory): an empty 500
    // still lets the connection answer.
    Response fallback;
    fallback.status = 500;
    return fallback;
  }
}

}  // namespace

std::optional<Response> invoke_fast(const Route& route, const Request& request) noexcept {
  if (!route.handler.fast) return std::nullopt;
  try {
    return route.handler.fast(request);
  } catch (...) {
    return current_exception_response(route, request);
  }
}

bool invoke_async(const Route& route, const Request& request, const Responder& responder) noexcept {
  if (!route.handler.async) return false;
  try {
    return route.handler.async(request, responder);
  } catch (...) {
    responder.fail(std::current_exception());
    return true;
  }
}

Response error_response(const Route& route, const Request& request, std::exception_ptr error) noexcept {
  if (!error) return Response::error(500, "internal", kInternalMessage);
  try {
    std::rethrow_exception(std::move(error));
  } catch (...) {
    return current_exception_response(route, request);
  }
}

Response invoke_blocking(const Route& route, const Request& request) noexcept {
  try {
    if (!route.handler.blocking) {
      logger().error("route {} has no blocking handler and its fast handler declined the request", route.name);
      return Response::error(500, "internal", kInternalMessage);
    }
    return route.handler.blocking(request);
  } catch (...) {
    return current_exception_response(route, request);
  }
}

}  // namespace promptsales::http::detail
