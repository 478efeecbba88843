#pragma once
/// What one outbound HTTP call sends and what comes back (client.hpp).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace promptsales::outbound {

using Header = std::pair<std::string, std::string>;

/// A request body produced piece by piece (an upload larger than memory).
struct BodySource {
  /// Fills up to `capacity` bytes at `buffer`; returns how many, 0 at the
  /// end. May throw to abort the request (the exception reaches the caller).
  std::function<std::size_t(char* buffer, std::size_t capacity)> read;
  /// Total size if known (sent as Content-Length); otherwise chunked.
  std::optional<std::uint64_t> size;
  /// Starts again from the first byte. Without it the request is not
  /// retried once a byte was read, because the body cannot be sent again.
  std::function<void()> rewind;
};

/// Receives a 2xx response's body as it arrives. Other statuses' bodies are
/// kept in Response::body (they are small error documents). May throw to
/// abort the transfer.
using ResponseSink = std::function<void(std::string_view chunk)>;

/// Request signing with AWS Signature Version 4, done by libcurl.
struct AwsSigV4 {
  std::string provider;           ///< "aws:amz:<region>:<service>", e.g. "aws:amz:us-east-1:s3"
  std::string access_key_id;
  std::string secret_access_key;  ///< never logged
};

/// One logical call; the client may send it up to `attempts` times.
struct Request {
  std::string method = "GET";
  std::string url;
  /// Extra headers. Names are sent as given; Authorization values are never logged.
  std::vector<Header> headers;
  /// The body, unless body_source is set.
  std::string body;
  std::optional<BodySource> body_source;
  /// Empty: a 2xx body is collected in Response::body.
  ResponseSink sink;
  /// Whole-attempt limit; nullopt takes the client's default (1 s). Zero
  /// means no total limit: set low_speed_* instead, for large transfers.
  std::optional<std::chrono::milliseconds> timeout;
  /// An attempt whose transfer stays below `low_speed_bytes` per second for
  /// `low_speed_time` is aborted as a timeout. 0 bytes: off.
  long low_speed_bytes = 0;
  std::chrono::seconds low_speed_time{0};
  /// The caller states that sending this again is harmless, for a method
  /// that is not idempotent by itself (POST, PATCH). An Idempotency-Key
  /// header says the same.
  bool replayable = false;
  std::optional<AwsSigV4> sigv4;
  /// How errors and logs name this call (e.g. "PUT s3://bucket/key");
  /// empty: the method and the URL without its query.
  std::string label;
};

struct Response {
  long status = 0;
  std::vector<Header> headers;  ///< names in lower case
  std::string body;             ///< empty when a sink took it
  int attempts = 0;             ///< how many times the request was sent

  /// The first header named `name` (lower case), or nullptr.
  const std::string* header(std::string_view name) const;
  bool ok() const noexcept { return status >= 200 && status < 300; }
};

}  // namespace promptsales::outbound
