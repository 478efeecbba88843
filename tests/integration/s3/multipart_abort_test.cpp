// A failed multipart upload is aborted (s3rver does not implement
// AbortMultipartUpload, so this checks the requests on a scripted server).
#include <catch2/catch.hpp>

#include "promptsales/common/outbound/s3_client.hpp"
#include "scripted_http_server.hpp"

using namespace promptsales::outbound;
using promptsales::test::ScriptedHttpServer;

TEST_CASE("s3 multipart: a reader failure after a part aborts the upload", "[s3][multipart]") {
  ScriptedHttpServer server;
  ScriptedHttpServer::Reply part{200, ""};
  part.headers["ETag"] = "\"etag-1\"";
  server.script({{200, "<InitiateMultipartUploadResult><UploadId>up/1+x</UploadId></InitiateMultipartUploadResult>"},
                 part, {204, ""}});
  Client http(ClientSettings{});
  S3Settings settings;
  settings.endpoint = server.url();
  settings.bucket = "bucket";
  settings.access_key_id = "AKID";
  settings.secret_access_key = "secret";
  settings.part_size = 1024;
  S3Client s3(settings, http);

  int calls = 0;
  S3Client::Reader reader = [&](char* buffer, std::size_t capacity) -> std::size_t {
    if (++calls > 1) throw std::runtime_error("source failed");
    std::fill_n(buffer, capacity, 'a');
    return capacity;
  };
  CHECK_THROWS_WITH(s3.upload("obj", reader), "source failed");
  const auto seen = server.received();
  REQUIRE(seen.size() == 3);
  CHECK(seen[0].method == "POST");
  CHECK(seen[0].target == "/bucket/obj?uploads=");
  CHECK(seen[1].method == "PUT");
  CHECK(seen[1].target == "/bucket/obj?partNumber=1&uploadId=up%2F1%2Bx");
  CHECK(seen[1].body == std::string(1024, 'a'));
  CHECK(seen[2].method == "DELETE");
  CHECK(seen[2].target == "/bucket/obj?uploadId=up%2F1%2Bx");
}

TEST_CASE("s3 multipart: complete lists the parts in order with their ETags", "[s3][multipart]") {
  ScriptedHttpServer server;
  server.script({{200, "<CompleteMultipartUploadResult><ETag>\"x-2\"</ETag></CompleteMultipartUploadResult>"}});
  Client http(ClientSettings{});
  S3Settings settings;
  settings.endpoint = server.url();
  settings.bucket = "bucket";
  settings.access_key_id = "AKID";
  settings.secret_access_key = "secret";
  S3Client s3(settings, http);
  s3.complete_multipart_upload("obj", "u", {{1, "\"a\""}, {2, "\"b\""}});
  const auto seen = server.received();
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].body ==
        "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&quot;a&quot;</ETag></Part>"
        "<Part><PartNumber>2</PartNumber><ETag>&quot;b&quot;</ETag></Part></CompleteMultipartUpload>");

  // S3 can answer 200 with an error document when completion fails late.
  server.script({{200, "<Error><Code>InternalError</Code><Message>try again</Message></Error>"}});
  CHECK_THROWS_WITH(s3.complete_multipart_upload("obj", "u", {{1, "\"a\""}}),
                    Catch::Contains("InternalError: try again"));
}
