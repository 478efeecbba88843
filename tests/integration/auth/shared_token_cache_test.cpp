// The Redis tier of the verified-token cache, end to end: a token verified by
// one server is known to another through Redis, and nothing planted in Redis
// makes a server accept a token it would refuse.

#include <string>

#include <catch2/catch.hpp>

#include "api_fixture.hpp"
#include "dev_auth.hpp"
#include "promptsales/common/hash.hpp"
#include "promptsales/sales/redis_principal_store.hpp"
#include "redis_server_process.hpp"
#include "serve_process.hpp"

using namespace promptsales;
using namespace promptsales::test;

namespace {

constexpr const char* kDataKey = "6b1d2e7f0a9c4b3d8e5f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d";
constexpr const char* kOtherDataKey = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

std::string record_key(const std::string& token) { return "promptsales:auth:token:" + sha256_hex(token); }

/// The bulk string of a raw GET reply ("$<n>\r\n<value>\r\n"), empty for nil.
std::string bulk_value(const std::string& reply) {
  if (reply.rfind("$-1", 0) == 0 || reply.empty() || reply[0] != '$') return {};
  const auto start = reply.find("\r\n") + 2;
  return reply.substr(start, reply.size() - start - 2);
}

/// A token with a valid header and claims but a signature that does not verify.
/// (Not the last character: its low bits are padding a decoder may ignore.)
std::string with_broken_signature(std::string token) {
  char& c = token[token.size() - 10];
  c = c == 'A' ? 'B' : 'A';
  return token;
}

std::string campaigns_of(std::int64_t org) { return "/api/v1/campaigns?organizationId=" + std::to_string(org); }

}  // namespace

TEST_CASE("a token verified by one server is taken from Redis by another", "[auth][redis]") {
  SeededInstallation inst(2, 5);
  RedisServerProcess redis;
  const EnvMap env = inst.env(redis.url(), {{"PROMPTSALES_DATA_KEY", kDataKey}});
  ServeProcess a(env);
  ServeProcess b(env);
  const auto token = DevAuth::instance().token(1, {"campaigns:read"});

  REQUIRE(a.get_as(token, campaigns_of(1)).status == 200);
  const std::string stored = bulk_value(redis.command("GET " + record_key(token)));
  REQUIRE_FALSE(stored.empty());
  // Only a digest of the token is in Redis, never the token itself.
  CHECK(redis.command("KEYS *").find(token.substr(token.size() - 20)) == std::string::npos);
  CHECK(stored.find(token) == std::string::npos);

  REQUIRE(b.get_as(token, campaigns_of(1)).status == 200);
  CHECK(scrape_metric(b, "promptsales_auth_shared_cache_total", {{"result", "hit"}}) == 1);
  // The principal read from Redis keeps its organization: still confined.
  CHECK(b.get_as(token, campaigns_of(2)).status == 403);
}

TEST_CASE("nothing planted in Redis makes a server accept a token it would refuse", "[auth][redis][security]") {
  SeededInstallation inst(2, 5);
  RedisServerProcess redis;
  ServeProcess server(inst.env(redis.url(), {{"PROMPTSALES_DATA_KEY", kDataKey}}));
  auto& auth = DevAuth::instance();

  // A genuine record, made by the server for a token it verified.
  const auto genuine = auth.token(1, {"campaigns:read"});
  REQUIRE(server.get_as(genuine, campaigns_of(1)).status == 200);
  const std::string genuine_record = bulk_value(redis.command("GET " + record_key(genuine)));
  REQUIRE_FALSE(genuine_record.empty());

  SECTION("a genuine record copied under another token's digest") {
    const auto forged = with_broken_signature(auth.token(1, {"campaigns:read"}, "test|mallory"));
    redis.command("SET " + record_key(forged) + " " + genuine_record + " EX 60");
    CHECK(server.get_as(forged, campaigns_of(1)).status == 401);
  }
  SECTION("a record signed with a key the server does not hold") {
    const auto forged = with_broken_signature(auth.token(2, {}, "test|mallory"));
    auth::Principal admin;
    admin.subject = "test|mallory";
    admin.permissions = auth::PermissionSet::from_bits(~0u);
    admin.expires_at = std::time(nullptr) + 600;
    std::array<std::uint8_t, 32> other{};
    for (std::size_t i = 0; i < other.size(); ++i)
      other[i] = static_cast<std::uint8_t>(std::stoi(std::string(kOtherDataKey + 2 * i, 2), nullptr, 16));
    const auto record = sales::encode_principal_record(sales::principal_mac_key(other), sha256_hex(forged), admin);
    redis.command("SET " + record_key(forged) + " " + record + " EX 60");
    CHECK(server.get_as(forged, "/api/v1/campaigns").status == 401);
  }
  SECTION("a genuine record whose permissions were raised") {
    const auto bar = genuine_record.find('|');
    const auto bits_end = genuine_record.find('|', bar + 1);
    const std::string raised = genuine_record.substr(0, bar + 1) + std::to_string(~0u >> 4) +
                               genuine_record.substr(bits_end);
    redis.command("SET " + record_key(genuine) + " " + raised + " EX 60");
    // A fresh server has nothing in its own tier, so it must consult Redis.
    ServeProcess fresh(inst.env(redis.url(), {{"PROMPTSALES_DATA_KEY", kDataKey}}));
    const auto r = fresh.send_as(genuine, "POST", "/api/v1/campaigns", R"({"organizationId":1,"name":"raised"})");
    CHECK(r.status == 403);  // verified again from the token: campaigns:read only
    CHECK(scrape_metric(fresh, "promptsales_auth_shared_cache_total", {{"result", "rejected"}}) == 1);
  }
}

TEST_CASE("without a data key verified tokens stay in the process", "[auth][redis]") {
  SeededInstallation inst(1, 3);
  RedisServerProcess redis;
  ServeProcess server(inst.env(redis.url(), {{"PROMPTSALES_DATA_KEY", ""}}));
  const auto token = DevAuth::instance().token(1, {"campaigns:read"});
  REQUIRE(server.get_as(token, campaigns_of(1)).status == 200);
  CHECK(redis.command("EXISTS " + record_key(token)) == ":0\r\n");
}
