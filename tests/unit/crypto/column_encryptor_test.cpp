// The bulk encryptor and keyed HMAC used by lead imports: the same format
// as encrypt_column, never the same IV twice (also across fork()).
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

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
  // Keys shorter than, equal to and longer than SHA-256's 64-byte block
  // (a longer key is hashed first): the pre-keyed states must match OpenSSL's HMAC.
  for (const std::string& key : {std::string("some key"), std::string(64, 'k'), std::string(65, 'k'),
                                 std::string(200, '\x9c'), std::string()}) {
    const KeyedHmacSha256 h(key);
    for (const std::string& data : {std::string(), std::string("ana@example.com"), std::string(55, 'a'),
                                    std::string(56, 'a'), std::string(64, 'a'), std::string(500, 'q')}) {
      CHECK(h(data) == hmac_sha256(key, data));
    }
  }
}

TEST_CASE("column encryptors of two keys used alternately on several threads stay correct", "[crypto]") {
  // Each thread keeps one AES context keyed for the last key it used: an
  // encryptor under another key must re-key it, never reuse it.
  const auto a = DataKey::from_hex(kHexA, "test");
  const auto b = DataKey::from_hex(kHexB, "test");
  const ColumnEncryptor under_a(a, "leads.name");
  const ColumnEncryptor under_b(b, "leads.name");
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 300; ++i) {
        const std::string plain = "value " + std::to_string(t) + "/" + std::to_string(i);
        const bool use_a = (i + t) % 3 != 0;
        const auto v = (use_a ? under_a : under_b).encrypt(plain);
        try {
          if (decrypt_column(use_a ? a : b, "leads.name", v) != plain) ++wrong;
        } catch (const std::exception&) {  // bad padding: encrypted under the other key
          ++wrong;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(wrong == 0);
}
