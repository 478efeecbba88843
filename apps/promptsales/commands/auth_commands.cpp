// `promptsales auth`: development keys and tokens, and token inspection.
//   keygen        an RSA signing key and the JWKS a server verifies with
//   token --dev   a signed token for a local server (never for production:
//                 production tokens come from the identity provider)
//   verify        checks a token (read from stdin, never argv) as serve would
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "app_context.hpp"
#include "commands/commands.hpp"
#include "output.hpp"
#include "promptsales/common/auth/jwks.hpp"
#include "promptsales/common/auth/signing.hpp"
#include "promptsales/common/auth/token_verifier.hpp"
#include "promptsales/common/errors.hpp"

namespace promptsales::app {
namespace {

namespace fs = std::filesystem;

constexpr const char* kKeyFile = "signing-key.pem";
constexpr const char* kJwksFile = "jwks.json";

std::string read_text(const fs::path& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(std::string(what) + ": cannot read '" + path.string() + "'");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// Writes through a temporary file and a rename, so a crash never leaves a
/// half-written key; `private_file` gets mode 0600 before any byte is written.
void write_atomically(const fs::path& path, const std::string& content, bool private_file) {
  const fs::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw ConfigError("cannot write '" + tmp.string() + "'");
    if (private_file) ::chmod(tmp.c_str(), 0600);
    out << content;
    if (!out.flush()) throw ConfigError("cannot write '" + tmp.string() + "'");
  }
  fs::rename(tmp, path);
}

struct KeygenOptions {
  std::string dir = ".local/auth";
  int bits = 2048;
  bool rotate = false;
  bool force = false;
};

void run_keygen(AppContext& ctx, const KeygenOptions& o) {
  const fs::path dir(o.dir);
  const fs::path key_path = dir / kKeyFile, jwks_path = dir / kJwksFile;
  std::vector<auth::RsaKeyPair> published;
  if (fs::exists(key_path) && !o.force && !o.rotate) {
    throw Conflict("'" + key_path.string() + "' exists: use --rotate to add a new key, or --force to replace it");
  }
  if (o.rotate && fs::exists(key_path)) {
    // The previous key stays in the JWKS so tokens it signed keep verifying
    // until they expire; the new key signs from now on.
    published.push_back(auth::load_rsa_key(read_text(key_path, "--dir")));
  }
  fs::create_directories(dir);
  auto key = auth::generate_rsa_key(o.bits);
  published.insert(published.begin(), key);
  write_atomically(jwks_path, auth::jwks_of(published).dump(2) + "\n", false);
  write_atomically(key_path, key.private_pem, true);

  if (ctx.json()) {
    print_json({{"kid", key.thumbprint},
                {"jwks", jwks_path.string()},
                {"signingKey", key_path.string()},
                {"keys", published.size()}});
    return;
  }
  std::cout << "kid          " << key.thumbprint << "\n"
            << "JWKS         " << jwks_path.string() << " (" << published.size() << " key"
            << (published.size() > 1 ? "s" : "") << ")\n"
            << "signing key  " << key_path.string() << " (mode 0600: keep it secret)\n\n"
            << "Point the server at the JWKS:\n  export PROMPTSALES_AUTH_JWKS=" << fs::absolute(jwks_path).string()
            << "\nand mint a development token:\n  promptsales auth token --dev --key " << key_path.string()
            << " --org 1 --role marketer\n";
}

struct TokenOptions {
  bool dev = false;
  std::string key_file;
  std::optional<std::int64_t> org;
  std::vector<std::string> permissions;
  std::vector<std::string> roles;
  std::string subject;
  int ttl_seconds = 3600;
};

void run_token(AppContext& ctx, const TokenOptions& o) {
  if (!o.dev) {
    throw ValidationError("--dev", "tokens minted here are for development only; pass --dev to say so");
  }
  std::string key_file = o.key_file;
  if (key_file.empty()) {
    const char* env = std::getenv("PROMPTSALES_AUTH_SIGNING_KEY_FILE");
    key_file = env && *env ? env : (fs::path(".local/auth") / kKeyFile).string();
  }
  const auto key = auth::load_rsa_key(read_text(key_file, "--key"));

  auth::PermissionSet set = auth::parse_permissions(o.permissions, /*ignore_unknown=*/false, "--permissions");
  for (const auto& role : o.roles) {
    const auto perms = auth::permissions_of_role(role);
    if (!perms) throw ValidationError("--role", "unknown role '" + role + "' (viewer, marketer, analyst, admin)");
    set.add(*perms);
  }
  if (set.empty()) throw ValidationError("--permissions", "give at least one permission or --role");
  if (!o.org && !set.has(auth::Permission::platform_admin)) {
    throw ValidationError("--org", "is required (only a platform:admin token may omit it)");
  }
  if (o.org && *o.org <= 0) throw ValidationError("--org", "must be a positive organization id");
  if (o.ttl_seconds <= 0 || o.ttl_seconds > 7 * 86'400) throw ValidationError("--ttl", "must be 1 to 604800 seconds");

  auto& config = ctx.config();
  auth::TokenClaims claims;
  claims.subject = o.subject.empty() ? "dev|" + std::string(std::getenv("USER") ? std::getenv("USER") : "operator")
                                     : o.subject;
  claims.issuer = config.str("auth_issuer");
  claims.audience = config.str("auth_audience");
  claims.organization_id = o.org;
  claims.permissions = auth::names_of(set);
  claims.lifetime = std::chrono::seconds(o.ttl_seconds);
  claims.organization_claim = config.str("auth_org_claim");
  claims.permissions_claim = config.str("auth_permissions_claim");
  const auto token = auth::sign_token(key, claims);
  if (ctx.json()) {
    print_json({{"token", token},
                {"subject", claims.subject},
                {"organizationId", o.org ? nlohmann::json(*o.org) : nlohmann::json(nullptr)},
                {"permissions", claims.permissions},
                {"expiresIn", o.ttl_seconds}});
    return;
  }
  std::cout << token << "\n";
}

void run_verify(AppContext& ctx) {
  std::string token;
  std::getline(std::cin, token);
  while (!token.empty() && (token.back() == '\r' || token.back() == ' ')) token.pop_back();
  if (token.empty()) throw ValidationError("stdin", "expected a token on standard input");
  auto& config = ctx.config();
  auth::JwksProvider keys({.location = config.str("auth_jwks"),
                           .ca_file = config.str("auth_jwks_ca_file"),
                           .min_refresh = config.millis("auth_jwks_min_refresh_ms")});
  keys.load();
  auth::TokenVerifier verifier({.issuer = config.str("auth_issuer"),
                                .audience = config.str("auth_audience"),
                                .leeway = std::chrono::seconds(config.integer("auth_leeway_seconds", 0, 600)),
                                .organization_claim = config.str("auth_org_claim"),
                                .permissions_claim = config.str("auth_permissions_claim")},
                               keys);
  const auto p = verifier.verify(token);
  if (ctx.json()) {
    print_json({{"valid", true},
                {"subject", p.subject},
                {"organizationId", p.organization_id ? nlohmann::json(*p.organization_id) : nlohmann::json(nullptr)},
                {"permissions", auth::names_of(p.permissions)},
                {"expiresAt", p.expires_at}});
    return;
  }
  std::cout << "valid token\n  subject       " << p.subject << "\n  organization  "
            << (p.organization_id ? std::to_string(*p.organization_id) : "all (platform:admin)") << "\n  permissions  ";
  for (const auto& n : auth::names_of(p.permissions)) std::cout << " " << n;
  std::cout << "\n";
}

}  // namespace

void register_auth_commands(CLI::App& app, AppContext& ctx) {
  auto* cmd = app.add_subcommand("auth", "Development keys and tokens; check a token as the server would");
  cmd->require_subcommand(1);

  auto keygen_o = std::make_shared<KeygenOptions>();
  auto* keygen = cmd->add_subcommand("keygen", "Create an RSA signing key and the JWKS that verifies it");
  keygen->add_option("--dir", keygen_o->dir, "Folder for signing-key.pem and jwks.json")->capture_default_str();
  keygen->add_option("--bits", keygen_o->bits, "RSA key size")->capture_default_str()->check(CLI::Range(2048, 8192));
  keygen->add_flag("--rotate", keygen_o->rotate,
                   "Add a new signing key, keeping the previous one in the JWKS so its tokens stay valid");
  keygen->add_flag("--force", keygen_o->force, "Replace an existing key (tokens it signed stop verifying)");
  keygen->callback([&ctx, keygen_o] { run_keygen(ctx, *keygen_o); });

  auto token_o = std::make_shared<TokenOptions>();
  auto* token = cmd->add_subcommand("token", "Sign a development token with a key from `auth keygen`");
  token->add_flag("--dev", token_o->dev, "Required: acknowledges the token is for development");
  token->add_option("--key", token_o->key_file,
                    "Signing key (default: $PROMPTSALES_AUTH_SIGNING_KEY_FILE or .local/auth/signing-key.pem)");
  token->add_option("--org", token_o->org, "Organization the token is confined to");
  token->add_option("--permissions", token_o->permissions, "Permissions, comma separated (e.g. campaigns:read)")
      ->delimiter(',');
  token->add_option("--role", token_o->roles, "Role(s) whose permissions to include: viewer, marketer, analyst, admin")
      ->delimiter(',');
  token->add_option("--subject", token_o->subject, "The token's sub (default dev|$USER)");
  token->add_option("--ttl", token_o->ttl_seconds, "Lifetime in seconds")->capture_default_str();
  token->callback([&ctx, token_o] { run_token(ctx, *token_o); });

  auto* verify = cmd->add_subcommand("verify", "Verify a token read from stdin with the configured JWKS, issuer and audience");
  verify->callback([&ctx] { run_verify(ctx); });
}

}  // namespace promptsales::app
