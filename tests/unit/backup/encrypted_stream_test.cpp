// The encrypted backup stream: round trips at the chunk boundaries, and
// every kind of tampering refused with a message naming what is wrong.
#include <catch2/catch.hpp>

#include <random>
#include <string>

#include "promptsales/common/backup/backup_key.hpp"
#include "promptsales/common/backup/encrypted_stream.hpp"
#include "promptsales/common/crypto/integrity_error.hpp"
#include "promptsales/common/errors.hpp"

using namespace promptsales;
using namespace promptsales::backup;

namespace {

BackupKey key_a() { return BackupKey::from_hex(std::string(64, 'a'), "test"); }
BackupKey key_b() { return BackupKey::from_hex(std::string(64, 'b'), "test"); }

std::string random_bytes(std::size_t n, unsigned seed = 7) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng() & 0xFF);
  return s;
}

// Encrypts `plain`, writing it in pieces of `piece` bytes.
std::string encrypt(const BackupKey& key, const std::string& plain, std::size_t chunk, std::size_t piece = 4096) {
  std::string out;
  EncryptingWriter writer(key, [&](std::string_view b) { out.append(b); }, chunk);
  for (std::size_t i = 0; i < plain.size(); i += piece) writer.write(std::string_view(plain).substr(i, piece));
  writer.finish();
  REQUIRE(writer.plaintext_bytes() == plain.size());
  REQUIRE(writer.encrypted_bytes() == out.size());
  return out;
}

std::string decrypt(const BackupKey& key, const std::string& encrypted, std::size_t piece = 1000) {
  std::string out;
  DecryptingReader reader(key, [&](std::string_view b) { out.append(b); });
  for (std::size_t i = 0; i < encrypted.size(); i += piece) reader.feed(std::string_view(encrypted).substr(i, piece));
  reader.finish();
  return out;
}

std::string failure_of(const BackupKey& key, const std::string& encrypted) {
  try {
    decrypt(key, encrypted);
  } catch (const crypto::IntegrityError& e) {
    return e.what();
  }
  FAIL("a tampered stream decrypted without error");
  return {};
}

constexpr std::size_t kHeader = kStreamHeaderSize;
constexpr std::size_t kFrame = 4 + 16;  // length word + tag

}  // namespace

TEST_CASE("a stream round-trips at every size around the chunk boundary") {
  const auto key = key_a();
  constexpr std::size_t chunk = 64 * 1024;
  for (std::size_t size : {std::size_t{0}, std::size_t{1}, chunk - 1, chunk, chunk + 1, 3 * chunk}) {
    const auto plain = random_bytes(size, static_cast<unsigned>(size));
    const auto enc = encrypt(key, plain, chunk);
    const std::size_t chunks = size == 0 ? 1 : (size + chunk - 1) / chunk;
    CHECK(enc.size() == kHeader + size + chunks * kFrame);
    CHECK(decrypt(key, enc) == plain);
    CHECK(decrypt(key, enc, 1) .size() == size);  // fed a byte at a time
  }
}

TEST_CASE("several MiB round-trip with the default 1 MiB chunks, and the ciphertext hides the plaintext") {
  const auto key = key_a();
  std::string plain;
  while (plain.size() < 5 * kDefaultChunkSize + 12345) plain += "known seeded string lead@example.com ";
  const auto enc = encrypt(key, plain, kDefaultChunkSize, 300000);
  CHECK(enc.find("lead@example.com") == std::string::npos);
  CHECK(decrypt(key, enc, 777777) == plain);
  // Two encryptions of the same plaintext differ (fresh salt and nonce prefix).
  CHECK(encrypt(key, plain, kDefaultChunkSize) != enc);
}

TEST_CASE("every flipped byte of a small stream is refused") {
  const auto key = key_a();
  const auto plain = random_bytes(100);
  const auto enc = encrypt(key, plain, 32);  // 4 chunks
  for (std::size_t i = 0; i < enc.size(); ++i) {
    auto bad = enc;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    INFO("flipped byte " << i);
    CHECK_THROWS_AS(decrypt(key, bad), crypto::IntegrityError);
  }
}

TEST_CASE("a flipped byte in a chunk names that chunk") {
  const auto key = key_a();
  const auto enc = encrypt(key, random_bytes(100), 32);
  auto bad = enc;
  bad[kHeader + 2 * (32 + kFrame) + 10] ^= 0x40;  // inside chunk 2's ciphertext
  CHECK_THAT(failure_of(key, bad), Catch::Contains("chunk 2 failed authentication"));
}

TEST_CASE("truncation, a swapped chunk and appended bytes are refused") {
  const auto key = key_a();
  const auto enc = encrypt(key, random_bytes(100), 32);
  const std::size_t c = 32 + kFrame;
  SECTION("cut at a chunk boundary") {
    CHECK_THAT(failure_of(key, enc.substr(0, kHeader + 2 * c)), Catch::Contains("truncated after chunk 1"));
  }
  SECTION("cut inside a chunk") {
    CHECK_THAT(failure_of(key, enc.substr(0, kHeader + 2 * c + 5)), Catch::Contains("inside chunk 2"));
  }
  SECTION("cut inside the header") {
    CHECK_THAT(failure_of(key, enc.substr(0, 10)), Catch::Contains("less than the header"));
  }
  SECTION("the final chunk dropped") {
    CHECK_THAT(failure_of(key, enc.substr(0, kHeader + 3 * c)), Catch::Contains("no final chunk"));
  }
  SECTION("two chunks swapped") {
    auto bad = enc.substr(0, kHeader) + enc.substr(kHeader + c, c) + enc.substr(kHeader, c) + enc.substr(kHeader + 2 * c);
    CHECK_THAT(failure_of(key, bad), Catch::Contains("chunk 0 failed authentication"));
  }
  SECTION("garbage appended") {
    CHECK_THAT(failure_of(key, enc + "x"), Catch::Contains("after the final chunk"));
  }
  SECTION("a whole second stream appended") {
    CHECK_THAT(failure_of(key, enc + enc), Catch::Contains("after the final chunk"));
  }
}

TEST_CASE("a stream under another key is refused by its key id, and a forged key id by authentication") {
  const auto enc = encrypt(key_a(), "secret rows", 32);
  CHECK_THAT(failure_of(key_b(), enc),
             Catch::Contains("encrypted with backup key id " + key_a().id()) &&
                 Catch::Contains("configured backup key has id " + key_b().id()));
  auto forged = enc;
  const auto id_b = key_b().id_bytes();
  forged.replace(16, 8, reinterpret_cast<const char*>(id_b.data()), 8);
  CHECK_THAT(failure_of(key_b(), forged), Catch::Contains("chunk 0 failed authentication"));
}

TEST_CASE("a stream that is not a backup stream is named so") {
  const auto key = key_a();
  CHECK_THAT(failure_of(key, std::string(100, 'x')), Catch::Contains("bad magic"));
  auto v2 = encrypt(key, "abc", 32);
  v2[8] = 2;
  CHECK_THAT(failure_of(key, v2), Catch::Contains("unsupported format version 2"));
}

TEST_CASE("the key id is the first 8 bytes of SHA-256 of the key, and bad keys are refused by setting name") {
  // sha256 of 32 bytes of 0xaa, first 8 bytes (python3: hashlib.sha256(bytes([0xaa]*32))).
  CHECK(key_a().id() == "e0e77a507412b120");
  CHECK(key_a().id() != key_b().id());
  CHECK_THROWS_WITH(BackupKey::from_hex("abc", "PROMPTSALES_BACKUP_KEY"),
                    Catch::Contains("PROMPTSALES_BACKUP_KEY") && Catch::Contains("64 hex"));
  CHECK_THROWS_AS(BackupKey::from_hex(std::string(64, 'z'), "x"), ConfigError);
}

TEST_CASE("decrypt_stream pulls from a source") {
  const auto key = key_a();
  const auto plain = random_bytes(3 * 1000 + 1);
  const auto enc = encrypt(key, plain, 1000);
  std::size_t pos = 0;
  std::string out;
  decrypt_stream(
      key,
      [&](char* buf, std::size_t n) {
        const auto take = std::min<std::size_t>({n, 333, enc.size() - pos});
        enc.copy(buf, take, pos);
        pos += take;
        return take;
      },
      [&](std::string_view b) { out.append(b); });
  CHECK(out == plain);
}
