#pragma once
/// An S3 client (path-style addressing, SigV4 by libcurl) over the shared
/// outbound client, whose breaker target is "s3". Errors carry the
/// operation, the object and S3's own code and message, e.g.
/// "S3 PUT s3://bucket/key: 403 SignatureDoesNotMatch: ...".
///
/// Error kinds: NotFound (404), Forbidden (401/403), Conflict (409),
/// Unavailable (5xx, 429 and connection failures, after the retries),
/// Error for any other status.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "promptsales/common/outbound/client.hpp"
#include "promptsales/common/outbound/s3_settings.hpp"
#include "promptsales/common/outbound/s3_wire.hpp"

namespace promptsales::outbound {

using s3::ListPage;
using s3::ObjectInfo;

/// A finished part of a multipart upload.
struct CompletedPart {
  int number = 0;
  std::string etag;
};

class S3Client {
 public:
  /// Fills up to `capacity` bytes at `buffer`; 0 at the end. May throw.
  using Reader = std::function<std::size_t(char* buffer, std::size_t capacity)>;

  /// `settings` are validated (ConfigError); `http` must outlive the client.
  S3Client(S3Settings settings, Client& http);

  /// Uploads `data` in one request (objects up to a few MiB).
  void put_object(std::string_view key, std::string_view data,
                  std::string_view content_type = "application/octet-stream");

  /// Uploads everything `read` yields, without knowing the size: one
  /// request if it fits in one part, a multipart upload otherwise (each part
  /// buffered so it can be retried; aborted if anything fails). Returns the
  /// object's size.
  std::uint64_t upload(std::string_view key, const Reader& read);

  /// The steps of a multipart upload, for callers that drive it themselves.
  std::string create_multipart_upload(std::string_view key);
  /// Uploads part `number` (1-based) and returns its ETag.
  std::string upload_part(std::string_view key, std::string_view upload_id, int number, std::string_view data);
  void complete_multipart_upload(std::string_view key, std::string_view upload_id,
                                 const std::vector<CompletedPart>& parts);
  void abort_multipart_upload(std::string_view key, std::string_view upload_id);

  /// Streams the object into `sink` as it arrives; returns its size. NotFound if missing.
  std::uint64_t get_object(std::string_view key, const ResponseSink& sink);
  /// Size, ETag and Last-Modified of the object, or nullopt if it does not exist.
  std::optional<ObjectInfo> head_object(std::string_view key);
  /// One page of keys under `prefix` (at most `max_keys`, 1..1000), after `continuation_token` (empty: the first).
  ListPage list_objects_page(std::string_view prefix, const std::string& continuation_token, int max_keys = 1000);
  /// Every key under `prefix`, in key order, following continuation tokens.
  std::vector<ObjectInfo> list_objects(std::string_view prefix, int page_size = 1000);
  /// Deletes the object (S3 answers success for a missing key too).
  void delete_object(std::string_view key);

  const S3Settings& settings() const noexcept { return settings_; }

 private:
  Request make_request(std::string method, std::string_view key, std::string query, std::string_view payload) const;
  Response send(const Request& request) const;
  [[noreturn]] void fail(const Request& request, const Response& response) const;
  void set_transfer_limits(Request& request) const;

  S3Settings settings_;
  Client& http_;
};

}  // namespace promptsales::outbound
