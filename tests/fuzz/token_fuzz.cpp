// Bearer token parsing and verification. Three shapes of input, so that
// the fuzzer reaches past the first checks:
//   - the bytes as an Authorization header value;
//   - "header-json\npayload-json\nsignature" assembled into a token whose
//     kid is ours (the JWT library then parses arbitrary JSON);
//   - the same, properly signed with our key, so the claim checks run on
//     arbitrary payloads (organization and permission claim types, aud
//     shapes, time claims).
// Every outcome is a Principal that satisfies the documented invariants,
// or a 401/403 client error; nothing else may escape.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>
#include <unistd.h>

#include "client_error.hpp"
#include "fuzz_check.hpp"
#include "promptsales/common/auth/base64url.hpp"
#include "promptsales/common/auth/signing.hpp"
#include "promptsales/common/auth/token_verifier.hpp"

namespace {

using namespace promptsales::auth;

struct World {
  RsaKeyPair key = generate_rsa_key();
  std::string jwks_path;
  std::unique_ptr<JwksProvider> keys;
  std::unique_ptr<TokenVerifier> verifier;
};

World& world() {
  static World* w = [] {
    auto* created = new World;
    created->jwks_path = "/tmp/promptsales-token-fuzz-" + std::to_string(::getpid()) + ".json";
    std::ofstream(created->jwks_path) << jwks_of({created->key}).dump();
    // An hour between refreshes: unknown kids must not re-read the file on
    // every input.
    created->keys = std::make_unique<JwksProvider>(
        JwksOptions{.location = created->jwks_path, .min_refresh = std::chrono::hours(1)});
    created->keys->load();
    std::remove(created->jwks_path.c_str());
    created->verifier = std::make_unique<TokenVerifier>(
        TokenVerifierOptions{.issuer = "https://issuer.fuzz/", .audience = "https://api.fuzz"}, *created->keys);
    return created;
  }();
  return *w;
}

std::string b64url(std::string_view bytes) { return base64url_encode(bytes); }

void check_verify(const std::string& token) {
  try {
    const Principal p = world().verifier->verify(token);
    FUZZ_CHECK(!p.subject.empty());
    FUZZ_CHECK(p.expires_at > 0);
    FUZZ_CHECK(p.organization_id ? *p.organization_id > 0 : p.can(Permission::platform_admin));
  } catch (const promptsales::Error& e) {
    promptsales::fuzz::check_client_error(e);
    FUZZ_CHECK(e.http_status() == 401 || e.http_status() == 403);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0: {
      try {
        check_verify(std::string(bearer_token(input)));
      } catch (const promptsales::Error& e) {
        promptsales::fuzz::check_client_error(e);
      }
      return 0;
    }
    default: {
      const auto nl1 = input.find('\n');
      if (nl1 == std::string_view::npos) return 0;
      const auto nl2 = input.find('\n', nl1 + 1);
      auto header = nlohmann::json::parse(input.substr(0, nl1), nullptr, false);
      const auto payload_text = input.substr(nl1 + 1, nl2 == std::string_view::npos ? std::string_view::npos
                                                                                    : nl2 - nl1 - 1);
      if (header.is_object()) header["kid"] = world().key.thumbprint;
      const std::string head = b64url(header.is_discarded() ? input.substr(0, nl1) : header.dump());
      if (data[0] % 3 == 1) {
        const auto sig = nl2 == std::string_view::npos ? std::string_view("c2ln") : input.substr(nl2 + 1);
        check_verify(head + "." + b64url(payload_text) + "." + b64url(sig));
      } else {
        auto payload = nlohmann::json::parse(payload_text, nullptr, false);
        if (payload.is_discarded()) return 0;
        // A genuine RS256 signature over whatever claims the input holds.
        const std::string signing_input = b64url(R"({"alg":"RS256","typ":"JWT","kid":")" + world().key.thumbprint +
                                                 R"("})") +
                                          "." + b64url(payload.dump());
        check_verify(sign_compact_rs256(world().key, signing_input));
      }
      return 0;
    }
  }
}
