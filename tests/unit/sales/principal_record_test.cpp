// The signed record the Redis tier of the token cache stores.

#include <catch2/catch.hpp>

#include "promptsales/sales/redis_principal_store.hpp"

using namespace promptsales;

namespace {

const std::string kKey = sales::principal_mac_key(std::array<std::uint8_t, 32>{1, 2, 3});
const std::string kDigest(64, 'a');

auth::Principal confined() {
  auth::Principal p;
  p.subject = "auth0|5f1c|x";  // Auth0 subjects contain the separator
  p.organization_id = 42;
  p.permissions.add(auth::Permission::campaigns_read);
  p.expires_at = 1'900'000'000;
  return p;
}

}  // namespace

TEST_CASE("a principal survives the record round trip", "[auth][redis]") {
  const auto p = confined();
  const auto back = sales::decode_principal_record(kKey, kDigest, sales::encode_principal_record(kKey, kDigest, p));
  REQUIRE(back);
  CHECK(back->subject == p.subject);
  CHECK(back->organization_id == p.organization_id);
  CHECK(back->permissions == p.permissions);
  CHECK(back->expires_at == p.expires_at);

  auth::Principal operator_principal = p;
  operator_principal.organization_id.reset();
  const auto op = sales::decode_principal_record(
      kKey, kDigest, sales::encode_principal_record(kKey, kDigest, operator_principal));
  REQUIRE(op);
  CHECK_FALSE(op->organization_id);
}

TEST_CASE("a record is refused when anything about it changed", "[auth][redis]") {
  const std::string record = sales::encode_principal_record(kKey, kDigest, confined());
  CHECK_FALSE(sales::decode_principal_record(kKey, std::string(64, 'b'), record));  // another token
  CHECK_FALSE(sales::decode_principal_record(sales::principal_mac_key({9}), kDigest, record));  // another key
  // Each byte flipped in turn.
  for (std::size_t i = 0; i < record.size(); ++i) {
    std::string changed = record;
    changed[i] = static_cast<char>(changed[i] ^ 0x01);
    INFO("byte " << i);
    CHECK_FALSE(sales::decode_principal_record(kKey, kDigest, changed));
  }
  CHECK_FALSE(sales::decode_principal_record(kKey, kDigest, record.substr(0, record.size() - 1)));
  CHECK_FALSE(sales::decode_principal_record(kKey, kDigest, ""));
  CHECK_FALSE(sales::decode_principal_record(kKey, kDigest, "|"));
  CHECK_FALSE(sales::decode_principal_record(kKey, kDigest, record + "0"));
}
