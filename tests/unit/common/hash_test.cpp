// sha256_hex against the FIPS 180-2 / NIST known-answer vectors.
#include <catch2/catch.hpp>

#include <regex>
#include <string>

#include "promptsales/common/hash.hpp"

using promptsales::sha256_hex;

TEST_CASE("sha256_hex: known vectors", "[hash]") {
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(sha256_hex(std::string(1000000, 'a')) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("sha256_hex: binary input and UTF-8", "[hash]") {
  // Embedded NUL bytes are hashed, not treated as the end.
  CHECK(sha256_hex(std::string_view("\0", 1)) == "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
  CHECK(sha256_hex(std::string_view("\0", 1)) != sha256_hex(""));
  CHECK(sha256_hex("Café 😀") == "3b26135cf51f8045b9db8dcffa1f302372de1700c3119528c38e3baf38602d9e");
}

TEST_CASE("sha256_hex: 64 lowercase hex characters, deterministic", "[hash]") {
  const std::regex hex("^[0-9a-f]{64}$");
  for (const char* s : {"", "x", "hello", "The quick brown fox jumps over the lazy dog"}) {
    const auto h = sha256_hex(s);
    CHECK(std::regex_match(h, hex));
    CHECK(sha256_hex(s) == h);
  }
  CHECK(sha256_hex("a") != sha256_hex("b"));
}
