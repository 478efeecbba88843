#include "promptsales/common/http/router.hpp"

#include <stdexcept>

namespace promptsales::http {
namespace {

using detail::RouteNode;

/// Deeper paths than this never match: no route is that deep, and a fixed
/// array keeps matching free of allocations.
constexpr std::size_t kMaxSegments = 32;

struct Segments {
  std::array<std::string_view, kMaxSegments> items;
  std::size_t count = 0;
};

/// Splits "/a/b/" into {"a", "b"}; "/" gives no segments. Returns false when
/// the path has more than kMaxSegments segments.
bool split_path(std::string_view path, Segments& out) {
  out.count = 0;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  if (!path.empty() && path.back() == '/') path.remove_suffix(1);  // trailing slash tolerated
  if (path.empty()) return true;
  while (true) {
    if (out.count == kMaxSegments) return false;
    const std::size_t slash = path.find('/');
    out.items[out.count++] = path.substr(0, slash);
    if (slash == std::string_view::npos) return true;
    path.remove_prefix(slash + 1);
  }
}

std::size_t index_of(Method m) { return static_cast<std::size_t>(m); }

/// The route serving `method` at `node`; HEAD is served by GET when no HEAD
/// route exists (the server then omits the body).
std::uint32_t route_for(const RouteNode& node, Method method) {
  const std::uint32_t r = node.route_plus_one[index_of(method)];
  if (r == 0 && method == Method::head) return node.route_plus_one[index_of(Method::get)];
  return r;
}

bool has_any_route(const RouteNode& node) {
  for (const std::uint32_t r : node.route_plus_one) {
    if (r != 0) return true;
  }
  return false;
}

std::string allow_list(const RouteNode& node) {
  std::string allow;
  for (std::size_t m = 0; m < detail::kMethodCount; ++m) {
    const auto method = static_cast<Method>(m);
    const bool allowed = node.route_plus_one[m] != 0 ||
                         (method == Method::head && node.route_plus_one[index_of(Method::get)] != 0);
    if (!allowed || method == Method::other) continue;
    if (!allow.empty()) allow += ", ";
    allow += to_string(method);
  }
  return allow;
}

/// Depth-first walk: literal children first, then the placeholder child, so
/// "/a/new" prefers a literal route over "/a/{id}" but still falls back.
class Search {
 public:
  Search(const std::vector<RouteNode>& nodes, const Segments& segments, Method method)
      : nodes_(nodes), segments_(segments), method_(method) {}

  std::uint32_t walk(std::uint32_t node_index, std::size_t depth) {
    const RouteNode& node = nodes_[node_index];
    if (depth == segments_.count) {
      if (const std::uint32_t r = route_for(node, method_)) return r;
      if (fallback_ == 0 && has_any_route(node)) fallback_ = node_index + 1;
      return 0;
    }
    const std::string_view segment = segments_.items[depth];
    for (const auto& [literal, child] : node.literals) {
      if (literal == segment) {
        if (const std::uint32_t r = walk(child, depth + 1)) return r;
        break;
      }
    }
    if (node.param_child != 0 && !segment.empty()) {
      params_[param_count_++] = segment;
      if (const std::uint32_t r = walk(node.param_child, depth + 1)) return r;
      --param_count_;
    }
    return 0;
  }

  /// Node index + 1 of the first node that ends the path with other methods.
  std::uint32_t fallback() const { return fallback_; }
  std::string_view param(std::size_t i) const { return params_[i]; }
  std::size_t param_count() const { return param_count_; }

 private:
  const std::vector<RouteNode>& nodes_;
  const Segments& segments_;
  Method method_;
  std::array<std::string_view, kMaxSegments> params_;
  std::size_t param_count_ = 0;
  std::uint32_t fallback_ = 0;
};

}  // namespace

void Router::add(Method method, std::string pattern, std::string name, Handler handler) {
  if (pattern.empty() || pattern.front() != '/') {
    throw std::invalid_argument("route pattern must start with '/': " + pattern);
  }
  if (!handler.fast && !handler.async && !handler.blocking) {
    throw std::invalid_argument("route " + pattern + " has no fast, async or blocking handler");
  }
  Segments segments;
  if (!split_path(pattern, segments)) throw std::invalid_argument("route pattern too deep: " + pattern);

  std::vector<std::string> names;
  std::uint32_t node = 0;
  for (std::size_t i = 0; i < segments.count; ++i) {
    const std::string_view segment = segments.items[i];
    const bool placeholder = segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
    const std::string_view inner = placeholder ? segment.substr(1, segment.size() - 2) : segment;
    if (inner.empty() || inner.find_first_of("{}") != std::string_view::npos) {
      throw std::invalid_argument("malformed segment '" + std::string(segment) + "' in route " + pattern);
    }
    if (placeholder) {
      for (const auto& existing : names) {
        if (existing == inner) throw std::invalid_argument("duplicate placeholder in route " + pattern);
      }
      names.emplace_back(inner);
      if (nodes_[node].param_child == 0) {
        nodes_[node].param_child = static_cast<std::uint32_t>(nodes_.size());
        nodes_.emplace_back();
      }
      node = nodes_[node].param_child;
      continue;
    }
    std::uint32_t next = 0;
    for (const auto& [literal, child] : nodes_[node].literals) {
      if (literal == inner) next = child;
    }
    if (next == 0) {
      next = static_cast<std::uint32_t>(nodes_.size());
      nodes_[node].literals.emplace_back(std::string(inner), next);
      nodes_.emplace_back();
    }
    node = next;
  }

  auto& slot = nodes_[node].route_plus_one[index_of(method)];
  if (slot != 0) {
    throw std::invalid_argument("duplicate route " + std::string(to_string(method)) + " " + pattern);
  }
  routes_.push_back(Route{method, std::move(pattern), std::move(name), std::move(handler)});
  param_names_.push_back(std::move(names));
  slot = static_cast<std::uint32_t>(routes_.size());
}

Match Router::match(Method method, std::string_view path) const {
  Match result;
  Segments segments;
  if (!split_path(path, segments)) return result;
  Search search(nodes_, segments, method);
  if (const std::uint32_t r = search.walk(0, 0)) {
    result.route = &routes_[r - 1];
    const auto& names = param_names_[r - 1];
    result.path_params.reserve(names.size());
    for (std::size_t i = 0; i < names.size() && i < search.param_count(); ++i) {
      result.path_params.emplace_back(names[i], search.param(i));
    }
    return result;
  }
  if (const std::uint32_t f = search.fallback()) {
    result.path_exists = true;
    result.allow = allow_list(nodes_[f - 1]);
  }
  return result;
}

}  // namespace promptsales::http
