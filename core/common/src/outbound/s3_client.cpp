#include "promptsales/common/outbound/s3_client.hpp"

#include <stdexcept>

#include "promptsales/common/errors.hpp"
#include "promptsales/common/hash.hpp"

namespace promptsales::outbound {
namespace {

constexpr std::string_view kTarget = "s3";
// SHA-256 of nothing: the payload hash of bodiless requests.
constexpr std::string_view kEmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
// Bodies larger than this are transfers: bounded by a stall limit, not the 1 s default.
constexpr std::size_t kSmallBody = 256 * 1024;

std::string excerpt(std::string_view body) {
  if (body.size() <= 200) return std::string(body);
  return std::string(body.substr(0, 200)) + "...";
}

}  // namespace

S3Client::S3Client(S3Settings settings, Client& http) : settings_(std::move(settings)), http_(http) {
  while (!settings_.endpoint.empty() && settings_.endpoint.back() == '/') settings_.endpoint.pop_back();
  settings_.validate();
}

Request S3Client::make_request(std::string method, std::string_view key, std::string query,
                               std::string_view payload) const {
  Request r;
  r.label = "S3 " + method + " s3://" + settings_.bucket + "/" + std::string(key);
  r.url = settings_.endpoint + "/" + settings_.bucket + "/" + s3::uri_encode(key, true);
  if (!query.empty()) r.url += "?" + query;
  r.method = std::move(method);
  // libcurl signs the payload hash we give it, so the signature covers the body.
  r.headers.emplace_back("x-amz-content-sha256", payload.empty() ? std::string(kEmptySha256) : sha256_hex(payload));
  r.body = std::string(payload);
  r.sigv4 = AwsSigV4{"aws:amz:" + settings_.region + ":s3", settings_.access_key_id, settings_.secret_access_key};
  if (payload.size() > kSmallBody) set_transfer_limits(r);
  return r;
}

void S3Client::set_transfer_limits(Request& request) const {
  request.timeout = std::chrono::milliseconds(0);
  request.low_speed_bytes = 1024;
  request.low_speed_time = settings_.stall_timeout;
}

Response S3Client::send(const Request& request) const { return http_.send(kTarget, request); }

void S3Client::fail(const Request& request, const Response& response) const {
  std::string message = request.label + ": " + std::to_string(response.status);
  if (const auto error = s3::parse_error(response.body)) {
    message += " " + error->code;
    if (!error->message.empty()) message += ": " + error->message;
  } else if (!response.body.empty()) {
    message += ": " + excerpt(response.body);
  }
  if (response.attempts > 1) message += " (after " + std::to_string(response.attempts) + " attempts)";
  const long status = response.status;
  if (status == 404) throw NotFound(message);
  if (status == 401 || status == 403) throw Forbidden(message);
  if (status == 409) throw Conflict(message);
  if (status == 429 || status >= 500) throw Unavailable(message);
  throw Error(message);
}

void S3Client::put_object(std::string_view key, std::string_view data, std::string_view content_type) {
  if (key.empty()) throw ValidationError("key", "an S3 object key must not be empty");
  Request r = make_request("PUT", key, {}, data);
  r.headers.emplace_back("Content-Type", std::string(content_type));
  const Response response = send(r);
  if (!response.ok()) fail(r, response);
}

std::uint64_t S3Client::get_object(std::string_view key, const ResponseSink& sink) {
  Request r = make_request("GET", key, {}, {});
  set_transfer_limits(r);
  std::uint64_t size = 0;
  r.sink = [&](std::string_view chunk) {
    size += chunk.size();
    sink(chunk);
  };
  const Response response = send(r);
  if (!response.ok()) fail(r, response);
  return size;
}

std::optional<ObjectInfo> S3Client::head_object(std::string_view key) {
  Request r = make_request("HEAD", key, {}, {});
  const Response response = send(r);
  if (response.status == 404) return std::nullopt;
  if (!response.ok()) fail(r, response);
  ObjectInfo info;
  info.key = std::string(key);
  if (const auto* length = response.header("content-length")) {
    try {
      info.size = std::stoull(*length);
    } catch (const std::exception&) {
      throw Error(r.label + ": bad Content-Length '" + *length + "'");
    }
  }
  if (const auto* etag = response.header("etag")) info.etag = *etag;
  if (const auto* modified = response.header("last-modified")) info.last_modified = *modified;
  return info;
}

ListPage S3Client::list_objects_page(std::string_view prefix, const std::string& continuation_token, int max_keys) {
  if (max_keys < 1 || max_keys > 1000) throw ValidationError("max_keys", "must be 1..1000");
  std::vector<std::pair<std::string, std::string>> params{
      {"list-type", "2"}, {"max-keys", std::to_string(max_keys)}, {"prefix", std::string(prefix)}};
  if (!continuation_token.empty()) params.emplace_back("continuation-token", continuation_token);
  Request r = make_request("GET", {}, s3::canonical_query(std::move(params)), {});
  r.label = "S3 LIST s3://" + settings_.bucket + "/" + std::string(prefix);
  const Response response = send(r);
  if (!response.ok()) fail(r, response);
  try {
    return s3::parse_list_page(response.body);
  } catch (const std::runtime_error& e) {
    throw Error(r.label + ": unexpected answer: " + e.what(), excerpt(response.body));
  }
}

std::vector<ObjectInfo> S3Client::list_objects(std::string_view prefix, int page_size) {
  std::vector<ObjectInfo> all;
  std::string token;
  for (;;) {
    ListPage page = list_objects_page(prefix, token, page_size);
    for (auto& object : page.objects) all.push_back(std::move(object));
    if (!page.next_token) break;
    token = std::move(*page.next_token);
  }
  return all;
}

void S3Client::delete_object(std::string_view key) {
  if (key.empty()) throw ValidationError("key", "an S3 object key must not be empty");
  Request r = make_request("DELETE", key, {}, {});
  const Response response = send(r);
  if (!response.ok()) fail(r, response);
}

}  // namespace promptsales::outbound
