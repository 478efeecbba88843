// Multipart uploads: create, parts, complete, abort, and upload() which
// drives them from a reader of unknown length.
#include <spdlog/spdlog.h>

#include "promptsales/common/errors.hpp"
#include "promptsales/common/logging.hpp"
#include "promptsales/common/outbound/s3_client.hpp"

namespace promptsales::outbound {
namespace {

// Fills `buffer` up to its capacity (or to the end of the input).
std::size_t fill(const S3Client::Reader& read, std::string& buffer, std::size_t capacity) {
  buffer.resize(capacity);
  std::size_t used = 0;
  while (used < capacity) {
    const std::size_t n = read(buffer.data() + used, capacity - used);
    if (n == 0) break;
    used += n;
  }
  buffer.resize(used);
  return used;
}

}  // namespace

std::string S3Client::create_multipart_upload(std::string_view key) {
  if (key.empty()) throw ValidationError("key", "an S3 object key must not be empty");
  Request r = make_request("POST", key, "uploads=", {});
  r.headers.emplace_back("Content-Type", "application/octet-stream");
  // A repeat after a lost answer only leaves an unused upload behind, which
  // the bucket's lifecycle rule for incomplete uploads removes.
  r.replayable = true;
  const Response response = send(r);
  if (!response.ok()) fail(r, response);
  auto id = s3::xml_first(response.body, "UploadId");
  if (!id || id->empty()) throw Error(r.label + ": the answer has no UploadId");
  return *id;
}

std::string S3Client::upload_part(std::string_view key, std::string_view upload_id, int number,
                                  std::string_view data) {
  if (number < 1 || number > 10000) throw ValidationError("part", "part numbers are 1..10000");
  Request r = make_request("PUT", key,
                           s3::canonical_query({{"partNumber", std::to_string(number)},
                                                {"uploadId", std::string(upload_id)}}),
                           data);
  r.label += " part " + std::to_string(number);
  set_transfer_limits(r);
  const Response response = send(r);
  if (!response.ok()) fail(r, response);
  const auto* etag = response.header("etag");
  if (etag == nullptr || etag->empty()) throw Error(r.label + ": the answer has no ETag");
  return *etag;
}

void S3Client::complete_multipart_upload(std::string_view key, std::string_view upload_id,
                                         const std::vector<CompletedPart>& parts) {
  std::string xml = "<CompleteMultipartUpload>";
  for (const auto& part : parts) {
    xml += "<Part><PartNumber>" + std::to_string(part.number) + "</PartNumber><ETag>" + s3::xml_escape(part.etag) +
           "</ETag></Part>";
  }
  xml += "</CompleteMultipartUpload>";
  Request r = make_request("POST", key, s3::canonical_query({{"uploadId", std::string(upload_id)}}), xml);
  r.headers.emplace_back("Content-Type", "application/xml");
  r.replayable = true;  // completing the same parts again gives the same object
  r.label += " (complete)";
  const Response response = send(r);
  // S3 may answer 200 with an <Error> document when completion fails late.
  if (!response.ok() || s3::parse_error(response.body)) {
    Response failed = response;
    if (failed.ok()) failed.status = 500;
    fail(r, failed);
  }
}

void S3Client::abort_multipart_upload(std::string_view key, std::string_view upload_id) {
  Request r = make_request("DELETE", key, s3::canonical_query({{"uploadId", std::string(upload_id)}}), {});
  r.label += " (abort)";
  const Response response = send(r);
  if (!response.ok() && response.status != 404) fail(r, response);
}

std::uint64_t S3Client::upload(std::string_view key, const Reader& read) {
  std::string buffer;
  std::size_t n = fill(read, buffer, settings_.part_size);
  if (n < settings_.part_size) {  // it all fits in one request
    put_object(key, buffer);
    return n;
  }
  const std::string upload_id = create_multipart_upload(key);
  std::vector<CompletedPart> parts;
  std::uint64_t total = 0;
  try {
    while (n > 0) {
      const int number = static_cast<int>(parts.size()) + 1;
      parts.push_back({number, upload_part(key, upload_id, number, buffer)});
      total += n;
      n = fill(read, buffer, settings_.part_size);
    }
    complete_multipart_upload(key, upload_id, parts);
  } catch (...) {
    // Best effort: the original error is the one worth reporting.
    try {
      abort_multipart_upload(key, upload_id);
    } catch (const std::exception& e) {
      logging::get("outbound")->warn("S3 abort of upload {} of s3://{}/{} failed: {}", upload_id, settings_.bucket,
                                     key, e.what());
    }
    throw;
  }
  return total;
}

}  // namespace promptsales::outbound
