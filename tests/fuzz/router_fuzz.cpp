// Router::match over the server's route table, checked against a plain
// reference matcher that follows the documented rules: one leading and one
// trailing slash are ignored, segments split at '/', a placeholder matches
// one non-empty segment, HEAD falls back to GET, and a path that exists
// with other methods answers 405 with an Allow list.
//
// Input: byte 0 picks the method; the rest is the decoded path.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "promptsales/common/http/router.hpp"

namespace {

using promptsales::http::Fields;
using promptsales::http::Handler;
using promptsales::http::Method;
using promptsales::http::Request;
using promptsales::http::Response;
using promptsales::http::Router;

struct RouteSpec {
  Method method;
  const char* pattern;
};

// The routes that sales::register_campaign_routes and
// register_health_routes add (keep in step with core/sales/src/http/), plus
// the shapes a later route may bring: a literal next to a placeholder and a
// deeper placeholder path. Literal routes come before placeholder routes of
// the same shape: the reference takes the first match in this order, the
// router prefers literal segments.
constexpr RouteSpec kRoutes[] = {
    {Method::get, "/api/v1/campaigns/export"},
    {Method::get, "/api/v1/campaigns"},
    {Method::get, "/campaigns"},
    {Method::post, "/api/v1/campaigns"},
    {Method::get, "/api/v1/campaigns/{id}"},
    {Method::put, "/api/v1/campaigns/{id}"},
    {Method::del, "/api/v1/campaigns/{id}"},
    {Method::post, "/api/v1/campaigns/{id}/pause"},
    {Method::post, "/api/v1/campaigns/{id}/resume"},
    {Method::get, "/healthz"},
    {Method::get, "/readyz"},
    {Method::get, "/metrics"},
    {Method::get, "/api/v1/organizations/{org}/campaigns/{id}"},
};

const Router& router() {
  static const Router r = [] {
    Router built;
    for (const auto& spec : kRoutes) {
      built.add(spec.method, spec.pattern, spec.pattern,
                Handler{[](const Request&) { return std::optional<Response>{}; }, nullptr});
    }
    return built;
  }();
  return r;
}

/// nullopt when the path is deeper than the router handles.
std::optional<std::vector<std::string_view>> split(std::string_view path) {
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  if (!path.empty() && path.back() == '/') path.remove_suffix(1);
  std::vector<std::string_view> out;
  if (path.empty()) return out;
  for (;;) {
    const std::size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  if (out.size() > 32) return std::nullopt;
  return out;
}

/// Whether `pattern` matches `segments`; fills the placeholders' values.
bool matches(std::string_view pattern, const std::vector<std::string_view>& segments, Fields& params) {
  const auto parts = split(pattern);
  if (!parts || parts->size() != segments.size()) return false;
  params.clear();
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const std::string_view part = (*parts)[i];
    if (part.front() == '{') {
      if (segments[i].empty()) return false;
      params.emplace_back(std::string(part.substr(1, part.size() - 2)), std::string(segments[i]));
    } else if (part != segments[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const auto method = static_cast<Method>(data[0] % promptsales::http::detail::kMethodCount);
  const std::string_view path(reinterpret_cast<const char*>(data + 1), size - 1);

  const auto match = router().match(method, path);

  // The reference answer.
  const RouteSpec* expected = nullptr;
  Fields expected_params;
  bool path_exists = false;
  if (const auto segments = split(path)) {
    // HEAD is served by GET when no HEAD route matches.
    const int tries = method == Method::head ? 2 : 1;
    for (int t = 0; t < tries; ++t) {
      const Method wanted = t == 0 ? method : Method::get;
      for (const auto& spec : kRoutes) {
        Fields params;
        if (!matches(spec.pattern, *segments, params)) continue;
        path_exists = true;
        if (spec.method == wanted && expected == nullptr) {
          expected = &spec;
          expected_params = std::move(params);
        }
      }
      if (expected != nullptr) break;
    }
  }

  if (expected == nullptr) {
    FUZZ_CHECK(match.route == nullptr);
    FUZZ_CHECK(match.path_exists == path_exists);
    FUZZ_CHECK(match.path_exists == !match.allow.empty());
    return 0;
  }
  FUZZ_CHECK(match.route != nullptr);
  FUZZ_CHECK(match.route->pattern == expected->pattern);
  FUZZ_CHECK(match.route->method == expected->method);
  FUZZ_CHECK(match.path_params == expected_params);
  for (const auto& [name, value] : match.path_params) FUZZ_CHECK(value.find('/') == std::string::npos);
  return 0;
}
