#pragma once
/// Maps (method, path pattern) to handlers. Patterns are literal segments and
/// `{name}` placeholders: "/api/v1/campaigns/{id}/pause".

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "promptsales/common/http/message.hpp"

namespace promptsales::http {

/// A route has up to two handlers:
///  - `fast` runs on the I/O thread. It must never block (no database, no
///    Redis); it may answer from memory (the in-process cache) or return
///    nullopt to fall through to `blocking`.
///  - `blocking` runs on the worker pool and may do I/O.
struct Handler {
  std::function<std::optional<Response>(const Request&)> fast;
  std::function<Response(const Request&)> blocking;
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
  /// handler with neither `fast` nor `blocking`.
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
