#pragma once
/// Transport-neutral HTTP request and response. Routes and services see only
/// these types, never Boost.Beast, so they compile fast and can be fuzzed and
/// unit-tested without sockets.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace promptsales::http {

enum class Method { get, head, post, put, patch, del, options, other };

/// The method's token as sent on the wire ("GET", "DELETE"; "OTHER" for other).
std::string_view to_string(Method m) noexcept;
/// Case-sensitive, as RFC 9110 requires; unknown tokens give Method::other.
Method method_from_string(std::string_view name) noexcept;

using Fields = std::vector<std::pair<std::string, std::string>>;

struct Request {
  Method method = Method::get;
  std::string target;        ///< as received: path plus query string
  std::string path;          ///< percent-decoded path, without the query
  Fields query;              ///< decoded query parameters, in order
  Fields headers;            ///< names lower-cased by the server
  Fields path_params;        ///< filled by the router from `{name}` segments
  std::string body;
  std::string remote_address;
  std::string request_id;

  /// Case-insensitive header lookup.
  std::optional<std::string_view> header(std::string_view name) const;
  /// First value of a query parameter.
  std::optional<std::string_view> query_param(std::string_view name) const;
  /// Value of a `{name}` segment of the matched route pattern.
  std::optional<std::string_view> path_param(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  /// Shared so a cached body is sent without copying it.
  std::shared_ptr<const std::string> body;
  Fields headers;

  /// A JSON body owned by the response.
  static Response json(int status, std::string body);
  /// A JSON body shared with a cache; sent without copying.
  static Response shared_json(int status, std::shared_ptr<const std::string> body);
  /// A non-JSON body with the given content type.
  static Response text(int status, std::string body, std::string content_type = "text/plain; charset=utf-8");
  /// `{"error":{"code":...,"message":...}}` with the message JSON-escaped.
  static Response error(int status, std::string_view code, std::string_view message);
  /// 204 with no body (and, as RFC 9110 requires, no Content-Length).
  static Response no_content();
};

/// Splits `target` into a decoded path and query parameters. Returns nullopt
/// for malformed percent-encoding, which callers answer with 400.
/// The path is decoded as a whole, so `%2F` becomes a `/` before routing.
/// The query is form-decoded (`+` is a space). A target must be origin-form
/// ("/p?q") or absolute-form ("http://host/p?q"); anything else is malformed.
struct ParsedTarget {
  std::string path;
  Fields query;
};
std::optional<ParsedTarget> parse_target(std::string_view target);
/// As above, into existing storage so a connection can reuse its buffers.
/// Returns false for a malformed target; `path` and `query` are then unspecified.
bool parse_target(std::string_view target, std::string& path, Fields& query);

/// Percent-decoding (`+` as space only when `form` is true). Returns nullopt
/// for a `%` not followed by two hex digits or for a NUL byte (raw or `%00`),
/// which C APIs and logs would truncate.
std::optional<std::string> percent_decode(std::string_view in, bool form);

}  // namespace promptsales::http
