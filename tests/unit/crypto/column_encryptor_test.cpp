// The bulk encryptor and keyed HMAC used by lead imports: the same format
// as encrypt_column, never the same IV twice (also across fork()).
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <set>
#include <string>

#include "promptsales/common/crypto/column_cipher.hpp"
#include "promptsales/common/crypto/data_key.hpp"
#include "promptsales/common/crypto/integrity_error.hpp"

using namespace promptsales::crypto;

namespace {
const std::string kHexA = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
const std::string kHexB = "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100";
}  // namespace

TEST_CASE("column encryptor writes what decrypt_column reads, for its context only", "[crypto]") {
  const auto key = DataKey::from_hex(kHexA, "test");
  const ColumnEncryptor enc(key, "leads.email");
  for (const std::string& plain : {std::string(), std::string(16, 'y'), std::string("ana@example.com"),
                                  std::string(1000, 'z'), std::string("Ñandú ✓")}) {
    const auto v = enc.encrypt(plain);
    CHECK(v.size() == 16 + (plain.size() / 16 + 1) * 16 + 32);
    CHECK(decrypt_column(key, "leads.email", v) == plain);
    CHECK_THROWS_AS(decrypt_column(key, "leads.name", v), IntegrityError);
    CHECK_THROWS_AS(decrypt_column(DataKey::from_hex(kHexB, "test"), "leads.email", v), IntegrityError);
  }
}

TEST_CASE("column encryptor never repeats an IV, in one process or after fork", "[crypto]") {
  const auto key = DataKey::from_hex(kHexA, "test");
  const ColumnEncryptor enc(key, "leads.email");
  std::set<std::string> ivs;
  for (int i = 0; i < 2000; ++i) ivs.insert(enc.encrypt("x").substr(0, 16));
  CHECK(ivs.size() == 2000);
  // The parent has IVs left in its buffer; a child must not draw the same ones.
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  const pid_t pid = fork();
  if (pid == 0) {
    const auto iv = enc.encrypt("x").substr(0, 16);
    const auto n = write(fds[1], iv.data(), iv.size());
    _exit(n == 16 ? 0 : 1);
  }
  close(fds[1]);
  std::string child(16, '\0');
  const auto n = read(fds[0], child.data(), child.size());
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  REQUIRE(n == 16);
  const auto parent = enc.encrypt("x").substr(0, 16);
  CHECK(child != parent);
  CHECK(ivs.count(child) == 0);
}

TEST_CASE("keyed HMAC equals hmac_sha256", "[crypto]") {
  const KeyedHmacSha256 h("some key");
  for (const std::string& data : {std::string(), std::string("ana@example.com"), std::string(500, 'q')}) {
    CHECK(h(data) == hmac_sha256("some key", data));
  }
}
