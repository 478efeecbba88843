#include "dev_auth.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "promptsales/common/auth/permissions.hpp"

namespace promptsales::test {
namespace {

constexpr const char* kIssuer = "https://promptsales.test/";
constexpr const char* kAudience = "https://api.promptsales.test";

void write_file(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  if (!out.flush()) throw std::runtime_error("cannot write " + path);
}

}  // namespace

const DevAuth& DevAuth::instance() {
  static const DevAuth auth;
  return auth;
}

DevAuth::DevAuth() : key_(auth::generate_rsa_key()) {
  dir_ = (std::filesystem::temp_directory_path() / ("promptsales-auth-" + std::to_string(::getpid()))).string();
  std::filesystem::create_directories(dir_);
  jwks_path_ = dir_ + "/jwks.json";
  key_path_ = dir_ + "/signing-key.pem";
  write_file(jwks_path_, auth::jwks_of({key_}).dump());
  write_file(key_path_, key_.private_pem);
  std::vector<std::string> all;
  for (const auto p : auth::all_permissions()) all.emplace_back(auth::to_string(p));
  operator_token_ = token(std::nullopt, all, "test|operator", std::chrono::hours(24));
}

std::string DevAuth::token(std::optional<std::int64_t> organization, const std::vector<std::string>& permissions,
                           const std::string& subject, std::chrono::seconds lifetime) const {
  auth::TokenClaims c;
  c.subject = subject;
  c.issuer = kIssuer;
  c.audience = kAudience;
  c.organization_id = organization;
  c.permissions = permissions;
  c.lifetime = lifetime;
  return auth::sign_token(key_, c);
}

EnvMap DevAuth::env() const {
  return {{"PROMPTSALES_AUTH_JWKS", jwks_path_},
          {"PROMPTSALES_AUTH_ISSUER", kIssuer},
          {"PROMPTSALES_AUTH_AUDIENCE", kAudience}};
}

}  // namespace promptsales::test
