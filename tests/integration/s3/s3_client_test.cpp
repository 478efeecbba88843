// The S3 client against s3rver: objects, listings with continuation,
// multipart uploads, errors, and what happens when the store goes away.
#include <catch2/catch.hpp>

#include <random>
#include <thread>

#include "promptsales/common/errors.hpp"
#include "promptsales/common/hash.hpp"
#include "promptsales/common/metrics/registry.hpp"
#include "promptsales/common/outbound/s3_client.hpp"
#include "s3rver_process.hpp"

using namespace promptsales;
using namespace promptsales::outbound;
using namespace std::chrono_literals;
using promptsales::test::S3rverProcess;

namespace {

S3Settings settings_for(const S3rverProcess& server) {
  S3Settings s;
  s.endpoint = server.endpoint();
  s.bucket = server.bucket();
  s.access_key_id = "S3RVER";
  s.secret_access_key = "S3RVER";
  s.part_size = 5u << 20;
  return s;
}

ClientSettings quick() {
  ClientSettings s;
  s.backoff = {20ms, 200ms};
  return s;
}

std::string download(S3Client& s3, const std::string& key) {
  std::string out;
  s3.get_object(key, [&](std::string_view chunk) { out.append(chunk); });
  return out;
}

std::string random_bytes(std::size_t n, unsigned seed) {
  std::mt19937_64 generator(seed);
  std::string out(n, '\0');
  for (std::size_t i = 0; i < n; i += 8) {
    const auto v = generator();
    for (std::size_t j = 0; j < 8 && i + j < n; ++j) out[i + j] = static_cast<char>((v >> (8 * j)) & 0xFF);
  }
  return out;
}

// A reader over `data` handing out uneven pieces, like a pipe.
S3Client::Reader reader_over(const std::string& data) {
  auto offset = std::make_shared<std::size_t>(0);
  return [&data, offset](char* buffer, std::size_t capacity) {
    const std::size_t n = std::min({capacity, data.size() - *offset, std::size_t{777'777}});
    std::copy_n(data.data() + *offset, n, buffer);
    *offset += n;
    return n;
  };
}

double metric(const metrics::Registry& registry, const std::string& series) {
  const std::string text = registry.render();
  const auto at = text.find(series + " ");
  return at == std::string::npos ? 0 : std::stod(text.substr(at + series.size() + 1));
}

}  // namespace

TEST_CASE("s3: put, head, get and delete an object", "[s3]") {
  S3rverProcess server("pst-objects");
  Client http(quick());
  S3Client s3(settings_for(server), http);
  const std::string key = "dir/report 2024+ñ.json";
  const std::string body = "{\"hello\":\"world\"}";
  s3.put_object(key, body, "application/json");

  const auto info = s3.head_object(key);
  REQUIRE(info);
  CHECK(info->size == body.size());
  CHECK_FALSE(info->etag.empty());
  CHECK(download(s3, key) == body);

  s3.delete_object(key);
  CHECK_FALSE(s3.head_object(key));
  try {
    download(s3, key);
    FAIL("expected NotFound");
  } catch (const NotFound& e) {
    CHECK_THAT(e.what(), Catch::StartsWith("S3 GET s3://pst-objects/dir/report 2024+ñ.json: 404 NoSuchKey"));
  }
}

TEST_CASE("s3: an empty object round-trips", "[s3]") {
  S3rverProcess server("pst-empty");
  Client http(quick());
  S3Client s3(settings_for(server), http);
  s3.put_object("empty", "");
  REQUIRE(s3.head_object("empty"));
  CHECK(s3.head_object("empty")->size == 0);
  CHECK(download(s3, "empty").empty());
}

TEST_CASE("s3: listings follow continuation tokens", "[s3]") {
  S3rverProcess server("pst-list");
  Client http(quick());
  S3Client s3(settings_for(server), http);
  std::vector<std::string> keys;
  for (int i = 0; i < 25; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "many/%03d.bin", i);
    keys.emplace_back(name);
    s3.put_object(name, std::string(static_cast<std::size_t>(i), 'z'));
  }
  s3.put_object("other/x", "x");

  const auto first = s3.list_objects_page("many/", "", 7);
  CHECK(first.objects.size() == 7);
  REQUIRE(first.next_token);
  const auto second = s3.list_objects_page("many/", *first.next_token, 7);
  REQUIRE(second.objects.size() == 7);
  CHECK(second.objects.front().key == "many/007.bin");

  const auto all = s3.list_objects("many/", 7);
  REQUIRE(all.size() == 25);
  for (std::size_t i = 0; i < all.size(); ++i) {
    CHECK(all[i].key == keys[i]);
    CHECK(all[i].size == i);
  }
  CHECK(s3.list_objects("other/").size() == 1);
  CHECK(s3.list_objects("none/").empty());
}

TEST_CASE("s3: a 20 MiB stream goes up in parts and comes back byte-exact", "[s3][multipart]") {
  S3rverProcess server("pst-multipart");
  metrics::Registry registry;
  Client http(quick(), &registry);
  S3Client s3(settings_for(server), http);
  const std::string data = random_bytes((20u << 20) + 12345, 7);
  CHECK(s3.upload("big/stream.bin", reader_over(data)) == data.size());

  const auto info = s3.head_object("big/stream.bin");
  REQUIRE(info);
  CHECK(info->size == data.size());
  // create, 5 parts of 5 MiB (the last one short), complete; then the HEAD.
  CHECK(metric(registry, "promptsales_outbound_requests_total{target=\"s3\",outcome=\"success\"}") == 8);
  const std::string back = download(s3, "big/stream.bin");
  CHECK(back.size() == data.size());
  CHECK(sha256_hex(back) == sha256_hex(data));
}

TEST_CASE("s3: a stream smaller than one part is one PUT", "[s3][multipart]") {
  S3rverProcess server("pst-small");
  Client http(quick());
  S3Client s3(settings_for(server), http);
  const std::string data = random_bytes(100000, 3);
  CHECK(s3.upload("small.bin", reader_over(data)) == data.size());
  REQUIRE(s3.head_object("small.bin"));
  CHECK(download(s3, "small.bin") == data);
}

TEST_CASE("s3: a failing stream aborts the upload and leaves no object", "[s3][multipart]") {
  S3rverProcess server("pst-abort");
  Client http(quick());
  S3Client s3(settings_for(server), http);
  const std::string data = random_bytes(12u << 20, 5);
  std::size_t offset = 0;
  S3Client::Reader failing = [&](char* buffer, std::size_t capacity) -> std::size_t {
    if (offset >= (7u << 20)) throw std::runtime_error("pg_dump exited with status 1");
    const std::size_t n = std::min(capacity, std::size_t{1} << 20);
    std::copy_n(data.data() + offset, n, buffer);
    offset += n;
    return n;
  };
  CHECK_THROWS_WITH(s3.upload("broken.bin", failing), "pg_dump exited with status 1");
  CHECK_FALSE(s3.head_object("broken.bin"));
}

TEST_CASE("s3: an unknown access key and a missing bucket are clear errors", "[s3]") {
  S3rverProcess server("pst-auth");
  Client http(quick());
  auto settings = settings_for(server);
  settings.access_key_id = "NOT-A-KEY";
  S3Client wrong_key(settings, http);
  try {
    wrong_key.put_object("x", "y");
    FAIL("expected Forbidden");
  } catch (const Forbidden& e) {
    CHECK_THAT(e.what(), Catch::StartsWith("S3 PUT s3://pst-auth/x: 403 InvalidAccessKeyId: "));
  }

  settings = settings_for(server);
  settings.bucket = "no-such-bucket";
  S3Client no_bucket(settings, http);
  CHECK_THROWS_WITH(no_bucket.list_objects("a"),
                    Catch::StartsWith("S3 LIST s3://no-such-bucket/a: 404 NoSuchBucket"));
}

TEST_CASE("s3: when the store goes away, calls are retried, then fail, then the breaker opens", "[s3][breaker]") {
  S3rverProcess server("pst-outage");
  metrics::Registry registry;
  ClientSettings settings = quick();
  settings.breaker = {5, 500ms};
  Client http(settings, &registry);
  S3Client s3(settings_for(server), http);
  s3.put_object("before", "ok");

  server.kill();
  try {
    s3.put_object("during", "x");
    FAIL("expected Unavailable");
  } catch (const Unavailable& e) {
    CHECK_THAT(e.what(), Catch::Contains("S3 PUT s3://pst-outage/during") &&
                             Catch::Contains("connection failed") && Catch::Contains("after 3 attempts"));
  }
  CHECK(metric(registry, "promptsales_outbound_requests_total{target=\"s3\",outcome=\"connection_error\"}") == 3);
  // Two more failures (5 in a row) open the breaker part-way through this call.
  CHECK_THROWS_WITH(s3.head_object("before"), Catch::Contains("circuit breaker open after 5"));
  CHECK(http.breaker_state("s3") == CircuitBreaker::State::open);
  CHECK(metric(registry, "promptsales_outbound_circuit_open{target=\"s3\"}") == 1);
  const auto start = std::chrono::steady_clock::now();
  CHECK_THROWS_WITH(s3.head_object("before"), Catch::Contains("circuit breaker open"));
  CHECK(std::chrono::steady_clock::now() - start < 50ms);

  // Back up: after the cool-down the trial request succeeds and closes it.
  server.start();
  std::this_thread::sleep_for(550ms);
  REQUIRE(s3.head_object("before"));
  CHECK(http.breaker_state("s3") == CircuitBreaker::State::closed);
  CHECK(download(s3, "before") == "ok");
}
