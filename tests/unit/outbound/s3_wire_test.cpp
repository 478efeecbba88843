// S3 wire format: URI encoding, canonical queries, XML documents.
#include <catch2/catch.hpp>

#include "promptsales/common/outbound/s3_wire.hpp"

using namespace promptsales::outbound::s3;

TEST_CASE("s3 wire: keys are percent-encoded as SigV4 expects", "[outbound][s3]") {
  CHECK(uri_encode("backups/2024-01-01/db.dump", true) == "backups/2024-01-01/db.dump");
  CHECK(uri_encode("a b+c=d&e~f_g.h", true) == "a%20b%2Bc%3Dd%26e~f_g.h");
  CHECK(uri_encode("a/b", false) == "a%2Fb");
  CHECK(uri_encode("\xc3\xb1", true) == "%C3%B1");
}

TEST_CASE("s3 wire: canonical queries are sorted, encoded and always have '='", "[outbound][s3]") {
  CHECK(canonical_query({{"uploads", ""}}) == "uploads=");
  CHECK(canonical_query({{"prefix", "a b/"}, {"list-type", "2"}, {"continuation-token", "x+y=="}}) ==
        "continuation-token=x%2By%3D%3D&list-type=2&prefix=a%20b%2F");
  CHECK(canonical_query({{"uploadId", "u"}, {"partNumber", "3"}}) == "partNumber=3&uploadId=u");
}

TEST_CASE("s3 wire: XML text is unescaped and escaped", "[outbound][s3]") {
  CHECK(xml_unescape("&quot;abc&quot; &amp; &lt;x&gt; &apos;&#65;&#x42;") == "\"abc\" & <x> 'AB");
  CHECK(xml_unescape("no entities") == "no entities");
  CHECK(xml_escape("<a & \"b\">") == "&lt;a &amp; &quot;b&quot;&gt;");
}

TEST_CASE("s3 wire: error documents give code and message", "[outbound][s3]") {
  const auto e = parse_error(
      "<?xml version=\"1.0\"?><Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated "
      "does not match</Message><RequestId>1</RequestId></Error>");
  REQUIRE(e);
  CHECK(e->code == "SignatureDoesNotMatch");
  CHECK(e->message == "The request signature we calculated does not match");
  CHECK_FALSE(parse_error("<html>bad gateway</html>"));
  CHECK_FALSE(parse_error(""));
}

TEST_CASE("s3 wire: list pages give objects and the continuation token", "[outbound][s3]") {
  const std::string doc =
      "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>b</Name><KeyCount>2</KeyCount>"
      "<MaxKeys>2</MaxKeys><IsTruncated>true</IsTruncated><NextContinuationToken>tok&amp;1</NextContinuationToken>"
      "<Contents><Key>a &amp; b</Key><LastModified>2024-01-01T00:00:00.000Z</LastModified>"
      "<ETag>&quot;e1&quot;</ETag><Size>5</Size></Contents>"
      "<Contents><Key>c</Key><ETag>\"e2\"</ETag><Size>12345678901</Size></Contents></ListBucketResult>";
  const auto page = parse_list_page(doc);
  REQUIRE(page.objects.size() == 2);
  CHECK(page.objects[0].key == "a & b");
  CHECK(page.objects[0].etag == "\"e1\"");
  CHECK(page.objects[0].size == 5);
  CHECK(page.objects[0].last_modified == "2024-01-01T00:00:00.000Z");
  CHECK(page.objects[1].size == 12345678901ULL);
  REQUIRE(page.next_token);
  CHECK(*page.next_token == "tok&1");

  const auto last = parse_list_page("<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>");
  CHECK(last.objects.empty());
  CHECK_FALSE(last.next_token);
  CHECK_THROWS(parse_list_page("<Error><Code>x</Code></Error>"));
  CHECK_THROWS(parse_list_page("<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>"));
}
