#pragma once
/// Tokens for end-to-end tests: one RSA key per test process, its JWKS in
/// a temporary file, and tokens signed with it. ServeProcess points every
/// server at this JWKS and sends operator_token() unless told otherwise.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "promptsales/common/auth/signing.hpp"
#include "serve_process.hpp"

namespace promptsales::test {

class DevAuth {
 public:
  /// The process-wide instance (created on first use).
  static const DevAuth& instance();

  /// A token of `subject` confined to `organization` (nullopt: none, which
  /// only platform:admin tokens may be) with `permissions`.
  std::string token(std::optional<std::int64_t> organization, const std::vector<std::string>& permissions,
                    const std::string& subject = "test|user", std::chrono::seconds lifetime = std::chrono::hours(1)) const;
  /// platform:admin with every permission: the operator's view that tests
  /// written before auth expect.
  const std::string& operator_token() const { return operator_token_; }
  /// PROMPTSALES_AUTH_JWKS (and issuer/audience) for a server.
  EnvMap env() const;
  const std::string& jwks_path() const { return jwks_path_; }
  const std::string& key_path() const { return key_path_; }
  const auth::RsaKeyPair& key() const { return key_; }

 private:
  DevAuth();
  auth::RsaKeyPair key_;
  std::string dir_;
  std::string jwks_path_;
  std::string key_path_;
  std::string operator_token_;
};

}  // namespace promptsales::test
