// The S3 client's requests carry valid SigV4 signatures over the real
// payload hash: checked by an independent verifier on the requests a
// scripted server received (s3rver does not check V4 signatures).
#include <catch2/catch.hpp>

#include <algorithm>

#include "promptsales/common/hash.hpp"
#include "promptsales/common/outbound/s3_client.hpp"
#include "scripted_http_server.hpp"
#include "sigv4_verifier.hpp"

using namespace promptsales;
using namespace promptsales::outbound;
using promptsales::test::ScriptedHttpServer;
using promptsales::test::SignedRequest;

namespace {

const std::string kSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

S3Settings settings_for(const ScriptedHttpServer& server) {
  S3Settings s;
  s.endpoint = server.url();
  s.region = "eu-west-3";
  s.bucket = "signed-bucket";
  s.access_key_id = "AKIDEXAMPLE";
  s.secret_access_key = kSecret;
  return s;
}

SignedRequest as_signed(const ScriptedHttpServer::Received& r) { return {r.method, r.target, r.headers}; }

bool signs(const SignedRequest& r, const std::string& name) {
  const auto names = test::sigv4_signed_headers(r);
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

TEST_CASE("sigv4 verifier: reproduces the AWS documentation's GET Object example", "[s3][sigv4]") {
  SignedRequest r;
  r.method = "GET";
  r.target = "/test.txt";
  r.headers = {
      {"host", "examplebucket.s3.amazonaws.com"},
      {"range", "bytes=0-9"},
      {"x-amz-content-sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
      {"x-amz-date", "20130524T000000Z"},
      {"authorization",
       "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
       "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
       "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"},
  };
  CHECK(test::sigv4_expected_signature(r, kSecret) == test::sigv4_provided_signature(r));
  CHECK(test::sigv4_expected_signature(r, kSecret + "x") != test::sigv4_provided_signature(r));
}

TEST_CASE("sigv4: a PUT is signed over the body's SHA-256", "[s3][sigv4]") {
  ScriptedHttpServer server;
  Client http(ClientSettings{});
  S3Client s3(settings_for(server), http);
  const std::string body = "backup bytes \x01\x02\x03";
  s3.put_object("dir/a b+c.bin", body);

  const auto seen = server.received();
  REQUIRE(seen.size() == 1);
  const auto r = as_signed(seen[0]);
  CHECK(r.method == "PUT");
  CHECK(r.target == "/signed-bucket/dir/a%20b%2Bc.bin");
  CHECK(seen[0].body == body);
  CHECK(r.headers.at("x-amz-content-sha256") == sha256_hex(body));
  CHECK(signs(r, "x-amz-content-sha256"));
  CHECK(signs(r, "host"));
  CHECK(signs(r, "x-amz-date"));
  CHECK_THAT(r.headers.at("authorization"), Catch::Contains("/eu-west-3/s3/aws4_request"));
  CHECK(test::sigv4_expected_signature(r, kSecret) == test::sigv4_provided_signature(r));
  // A server holding another secret would refuse it.
  CHECK(test::sigv4_expected_signature(r, "not-the-secret") != test::sigv4_provided_signature(r));
}

TEST_CASE("sigv4: queries are signed in canonical form", "[s3][sigv4]") {
  ScriptedHttpServer server;
  server.set_fallback({200, "<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>"});
  Client http(ClientSettings{});
  S3Client s3(settings_for(server), http);
  s3.list_objects_page("backups/2024 01/", "token+with/odd=chars", 7);
  server.script({{200, "<InitiateMultipartUploadResult><UploadId>u-1</UploadId></InitiateMultipartUploadResult>"}});
  CHECK(s3.create_multipart_upload("big.bin") == "u-1");

  const auto seen = server.received();
  REQUIRE(seen.size() == 2);
  for (const auto& received : seen) {
    const auto r = as_signed(received);
    INFO(r.method << " " << r.target);
    CHECK(test::sigv4_expected_signature(r, kSecret) == test::sigv4_provided_signature(r));
  }
  CHECK(seen[0].target ==
        "/signed-bucket/?continuation-token=token%2Bwith%2Fodd%3Dchars&list-type=2&max-keys=7&prefix=backups%2F2024%2001%2F");
  CHECK(seen[1].target == "/signed-bucket/big.bin?uploads=");
}
