// The column cipher: round trips, tamper detection, key ids, and a check
// against the openssl command line that the format is plain AES-256-CBC.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "promptsales/common/config.hpp"
#include "promptsales/common/crypto/column_cipher.hpp"
#include "promptsales/common/crypto/data_key.hpp"
#include "promptsales/common/crypto/integrity_error.hpp"
#include "promptsales/common/errors.hpp"

using namespace promptsales;
using namespace promptsales::crypto;

namespace {

const std::string kHexA = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
const std::string kHexB = "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100";

std::string hex(std::string_view bytes) {
  static constexpr char k[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out.push_back(k[b >> 4]);
    out.push_back(k[b & 0xF]);
  }
  return out;
}

std::string run(const std::string& command) {
  std::string out;
  FILE* p = popen(command.c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  while (auto n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  pclose(p);
  return out;
}

std::optional<std::string> fake_env(const char* name) {
  const std::string n = name;
  if (n == "PROMPTSALES_DATA_KEY") return kHexA;
  if (n == "PROMPTSALES_DATA_KEY_PREVIOUS") return kHexB;
  return std::nullopt;
}

std::optional<std::string> no_env(const char*) { return std::nullopt; }

}  // namespace

TEST_CASE("column cipher round-trips and uses a fresh IV each time", "[crypto]") {
  const auto key = DataKey::from_hex(kHexA, "test");
  for (const std::string& plain : {std::string(), std::string("a"), std::string(15, 'x'), std::string(16, 'y'),
                                  std::string("ana@example.com"), std::string(1000, 'z'), std::string("Ñandú ✓")}) {
    const auto a = encrypt_column(key, "users.email", plain);
    const auto b = encrypt_column(key, "users.email", plain);
    CHECK(a != b);
    CHECK(a.size() == 16 + (plain.size() / 16 + 1) * 16 + 32);
    CHECK(decrypt_column(key, "users.email", a) == plain);
    if (plain.size() >= 8) CHECK(a.find(plain) == std::string::npos);
  }
}

TEST_CASE("column cipher rejects every changed byte, another key, another column and truncation", "[crypto]") {
  const auto key = DataKey::from_hex(kHexA, "test");
  const auto other = DataKey::from_hex(kHexB, "test");
  const auto stored = encrypt_column(key, "users.email", "ana@example.com");
  for (std::size_t i = 0; i < stored.size(); ++i) {
    auto changed = stored;
    changed[i] = static_cast<char>(changed[i] ^ 0x01);
    CAPTURE(i);
    CHECK_THROWS_AS(decrypt_column(key, "users.email", changed), IntegrityError);
  }
  CHECK_THROWS_AS(decrypt_column(other, "users.email", stored), IntegrityError);
  CHECK_THROWS_AS(decrypt_column(key, "users.name", stored), IntegrityError);
  CHECK_THROWS_AS(decrypt_column(key, "users.email", stored.substr(0, stored.size() - 1)), IntegrityError);
  CHECK_THROWS_AS(decrypt_column(key, "users.email", ""), IntegrityError);
  CHECK_THROWS_WITH(decrypt_column(other, "users.email", stored), Catch::Contains("users.email") &&
                                                                     !Catch::Contains("ana@"));
}

TEST_CASE("column cipher output is AES-256-CBC that the openssl command decrypts", "[crypto]") {
  const auto key = DataKey::from_hex(kHexA, "test");
  const std::string plain = "B12345678 Acme Holdings S.L.";
  const auto stored = encrypt_column(key, "organizations.tax_id", plain);
  const auto iv = stored.substr(0, 16);
  const auto ciphertext = stored.substr(16, stored.size() - 48);
  const std::string path = "/tmp/promptsales_cipher_test_" + std::to_string(getpid()) + ".bin";
  std::ofstream(path, std::ios::binary) << ciphertext;
  const auto out = run("openssl enc -d -aes-256-cbc -K " + kHexA + " -iv " + hex(iv) + " -in " + path + " 2>&1");
  std::remove(path.c_str());
  CHECK(out == plain);
}

TEST_CASE("data keys: parsing, fingerprints, blind indexes", "[crypto]") {
  const auto a = DataKey::from_hex("  " + kHexA + "\n", "test");
  const auto b = DataKey::from_hex(kHexB, "test");
  CHECK(a.id().size() == 16);
  CHECK(a.id().find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(a.id() == DataKey::from_hex(kHexA, "x").id());
  CHECK(a.id() != b.id());
  // The fingerprint reveals no key bytes.
  CHECK(kHexA.find(a.id()) == std::string::npos);

  CHECK(blind_index(a, "users.email", "ana@example.com") == blind_index(a, "users.email", "ana@example.com"));
  CHECK(blind_index(a, "users.email", "ana@example.com") != blind_index(b, "users.email", "ana@example.com"));
  CHECK(blind_index(a, "users.email", "ana@example.com") != blind_index(a, "users.email", "bob@example.com"));

  const std::string almost = kHexA.substr(0, 62) + "zz";
  CHECK_THROWS_AS(DataKey::from_hex(almost, "PROMPTSALES_DATA_KEY"), ConfigError);
  CHECK_THROWS_WITH(DataKey::from_hex(almost, "PROMPTSALES_DATA_KEY"),
                    Catch::Contains("PROMPTSALES_DATA_KEY") && !Catch::Contains(kHexA.substr(0, 16)));
  CHECK_THROWS_WITH(DataKey::from_hex(kHexA.substr(0, 40), "K"), Catch::Contains("64 hex") &&
                                                                    !Catch::Contains(kHexA.substr(0, 16)));
}

TEST_CASE("keyring: current and previous keys from the environment, files refused inline", "[crypto]") {
  const auto ring = load_keyring(Config::load({}, fake_env));
  CHECK(ring.current().id() == DataKey::from_hex(kHexA, "a").id());
  REQUIRE(ring.keys().size() == 2);
  CHECK(ring.find(DataKey::from_hex(kHexB, "b").id()) != nullptr);
  CHECK(ring.find("0000000000000000") == nullptr);

  CHECK_THROWS_WITH(load_keyring(Config::load({}, no_env)), Catch::Contains("PROMPTSALES_DATA_KEY"));
  CHECK_FALSE(try_load_keyring(Config::load({}, no_env)).has_value());

  const std::string dir = "/tmp/promptsales_keyring_test_" + std::to_string(getpid());
  std::ofstream(dir + ".key") << kHexB << "\n";
  std::ofstream(dir + ".conf") << "data_key_file = " << dir << ".key\n";
  const auto from_file = load_keyring(Config::load(dir + ".conf", no_env));
  CHECK(from_file.current().id() == DataKey::from_hex(kHexB, "b").id());

  // Key and key file together are ambiguous.
  CHECK_THROWS_AS(load_keyring(Config::load(dir + ".conf", fake_env)), ConfigError);

  // A key written into the config file itself is refused.
  std::ofstream(dir + ".inline.conf") << "data_key = " << kHexA << "\n";
  CHECK_THROWS_WITH(load_keyring(Config::load(dir + ".inline.conf", no_env)),
                    Catch::Contains("data_key_file") && !Catch::Contains(kHexA));
  std::remove((dir + ".key").c_str());
  std::remove((dir + ".conf").c_str());
  std::remove((dir + ".inline.conf").c_str());

  // `config show` masks the key.
  CHECK(Config::load({}, fake_env).display_value("data_key") == "****");
}
