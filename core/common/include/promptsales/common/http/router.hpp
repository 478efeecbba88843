#pragma once
/// Maps (method, path pattern) to handlers. Patterns are literal segments and
/// `{name}` placeholders: "/api/v1/campaigns/{id}/pause".

#include <array>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "promptsales/common/http/message.hpp"

namespace boost::asio {
class io_context;
}

namespace promptsales::http {

namespace detail {
/// The server's side of an async request (implemented by the connection).
class AsyncCompletion {
 public:
  virtual ~AsyncCompletion() = default;
  /// Delivers the response (or the error to turn into one). Only the first
  /// call counts; callable from any thread.
  virtual void complete(Response&& response, std::exception_ptr error) noexcept = 0;
};
}  // namespace detail

/// Finishes a request that an `async` handler took. Cheap to copy; every
/// copy refers to the same request, and only the first respond() or fail()
/// counts. Callable from any thread: the connection resumes on its own I/O
/// thread. If every copy is dropped unanswered the client gets a 500, so a
/// lost completion never hangs a connection.
class Responder {
 public:
  Responder(std::shared_ptr<detail::AsyncCompletion> completion, boost::asio::io_context& io) noexcept
      : completion_(std::move(completion)), io_(&io) {}
  /// Sends `response`.
  void respond(Response&& response) const noexcept { completion_->complete(std::move(response), nullptr); }
  /// Answers as if a blocking handler had thrown `error` (promptsales::Error
  /// keeps its status and message; anything else is a logged 500).
  void fail(std::exception_ptr error) const noexcept { completion_->complete(Response{}, std::move(error)); }
  /// The event loop of the I/O thread the handler was called on, for
  /// asynchronous I/O that completes on that same thread.
  boost::asio::io_context& io_context() const noexcept { return *io_; }

 private:
  std::shared_ptr<detail::AsyncCompletion> completion_;
  boost::asio::io_context* io_;
};

/// A route has up to three handlers, tried in this order:
///  - `fast` runs on the I/O thread. It must never block (no database, no
///    Redis); it may answer from memory (the in-process cache) or return
///    nullopt to fall through.
///  - `async` also runs on the I/O thread and must never block. Returning
///    true takes the request: the handler (or the I/O it starts) answers it
///    later through the Responder, without a thread hop. Returning false
///    (without using the Responder) falls through to `blocking`. The Request
///    is only valid during the call: copy what the completion needs.
///  - `blocking` runs on the worker pool and may do I/O.
/// `async` is declared last (with an initializer) so that existing
/// positional initializers `{fast, blocking}` keep compiling.
struct Handler {
  std::function<std::optional<Response>(const Request&)> fast;
  std::function<Response(const Request&)> blocking;
  std::function<bool(const Request&, const Responder&)> async = nullptr;
};

/// One registered route.
struct Route {
  Method method;
  std::string pattern;
  std::string name;  ///< low-cardinality label for metrics, e.g. "campaigns_list"
  Handler handler;
};

/// The outcome of Router::match.
struct Match {
  const Route* route = nullptr;  ///< null when nothing matched
  Fields path_params;
  bool path_exists = false;      ///< some route has this path with another method (405)
  std::string allow;             ///< methods allowed for this path, for the Allow header
};

namespace detail {
/// Number of Method enumerators (the per-node route table is indexed by Method).
inline constexpr std::size_t kMethodCount = static_cast<std::size_t>(Method::other) + 1;

/// One node of the router's segment trie; node 0 is the root ("/").
struct RouteNode {
  std::vector<std::pair<std::string, std::uint32_t>> literals;  ///< segment -> child node
  std::uint32_t param_child = 0;                                ///< `{name}` child; 0 = none
  std::array<std::uint32_t, kMethodCount> route_plus_one{};     ///< routes_ index + 1; 0 = none
};
}  // namespace detail

/// Routes are added during start-up, then matched concurrently (match() is
/// const and thread-safe). Matching walks a segment trie: a literal segment
/// wins over a placeholder, and a trailing slash is ignored. HEAD falls back
/// to the GET route when no HEAD route exists. Add all routes before matching:
/// adding invalidates the Route pointers handed out by match().
class Router {
 public:
  /// Registers a route. Throws std::invalid_argument for a pattern that does
  /// not start with '/', a malformed `{name}` segment, a duplicate, or a
  /// handler with none of `fast`, `async` and `blocking`.
  void add(Method method, std::string pattern, std::string name, Handler handler);
  /// Finds the route for `path` (already percent-decoded).
  Match match(Method method, std::string_view path) const;
  /// All routes, in registration order.
  const std::vector<Route>& routes() const noexcept { return routes_; }

 private:
  std::vector<Route> routes_;
  std::vector<std::vector<std::string>> param_names_;  ///< per route, in path order
  std::vector<detail::RouteNode> nodes_ = std::vector<detail::RouteNode>(1);
};

}  // namespace promptsales::http
