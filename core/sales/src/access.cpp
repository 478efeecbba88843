#include "promptsales/sales/access.hpp"

#include "promptsales/common/audit.hpp"
#include "promptsales/common/auth/authenticator.hpp"
#include "promptsales/common/auth/jwks.hpp"
#include "promptsales/common/auth/token_verifier.hpp"
#include "promptsales/common/crypto/data_key.hpp"
#include "promptsales/common/errors.hpp"
#include "promptsales/common/logging.hpp"
#include "promptsales/common/rate_limiter.hpp"
#include "promptsales/common/users.hpp"
#include "promptsales/sales/portal.hpp"

namespace promptsales::sales {
namespace {

auth::JwksOptions jwks_options(const Config& c) {
  auth::JwksOptions o;
  o.location = c.str("auth_jwks");
  o.ca_file = c.str("auth_jwks_ca_file");
  o.min_refresh = c.millis("auth_jwks_min_refresh_ms");
  return o;
}

auth::TokenVerifierOptions verifier_options(const Config& c) {
  auth::TokenVerifierOptions o;
  o.issuer = c.str("auth_issuer");
  o.audience = c.str("auth_audience");
  if (o.issuer.empty()) throw ConfigError("auth_issuer must be set when auth is enabled");
  if (o.audience.empty()) throw ConfigError("auth_audience must be set when auth is enabled");
  o.leeway = std::chrono::seconds(c.integer("auth_leeway_seconds", 0, 600));
  o.organization_claim = c.str("auth_org_claim");
  o.permissions_claim = c.str("auth_permissions_claim");
  return o;
}

auth::AuthenticatorOptions authenticator_options(const Config& c) {
  auth::AuthenticatorOptions o;
  o.cache_max_entries = static_cast<std::size_t>(c.integer("auth_cache_max_entries", 16, 100'000'000));
  o.max_cache_age = std::chrono::seconds(c.integer("auth_cache_max_age_seconds", 1, 86'400));
  return o;
}

RateLimit rate_limit(const Config& c, std::string_view rate_key, std::string_view burst_key) {
  const auto rate = c.integer(rate_key, 0, 1'000'000'000);
  const auto burst = c.integer(burst_key, 1, 1'000'000'000);
  return RateLimit{static_cast<double>(rate), static_cast<double>(burst)};
}

/// The Redis tier needs Redis and a data key (its records are signed with a
/// key derived from it, so Redis cannot vouch for a token on its own).
std::unique_ptr<RedisPrincipalStore> shared_token_cache(const Config& c, Portal& portal) {
  auto log = logging::get("auth");
  if (!c.boolean("auth_cache_redis")) return nullptr;
  auto* redis = portal.page_cache().redis();
  if (!redis) return nullptr;
  const auto keyring = crypto::try_load_keyring(c);
  if (!keyring) {
    log->info("verified tokens are cached in this process only: the Redis tier needs a data key (data_key)");
    return nullptr;
  }
  return std::make_unique<RedisPrincipalStore>(*redis, principal_mac_key(keyring->current().bytes()));
}

}  // namespace

struct Access::Parts {
  std::unique_ptr<PgUsers> users;
  std::unique_ptr<AsyncAuditWriter> audit;
  std::unique_ptr<auth::JwksProvider> jwks;
  std::unique_ptr<auth::TokenVerifier> verifier;
  std::unique_ptr<RedisPrincipalStore> shared_tokens;
  std::unique_ptr<auth::Authenticator> authenticator;
  std::unique_ptr<RateLimiter> per_address;
  std::unique_ptr<RateLimiter> per_token;
};

bool is_loopback_listen(std::string_view listen) {
  const auto colon = listen.rfind(':');
  const auto host = colon == std::string_view::npos ? listen : listen.substr(0, colon);
  return host == "localhost" || host == "[::1]" || host.rfind("127.", 0) == 0;
}

Access::Access(const Config& config, Portal& portal) : parts_(std::make_unique<Parts>()) {
  auto log = logging::get("auth");
  auto& control = portal.databases().control();
  parts_->audit = std::make_unique<AsyncAuditWriter>(control);
  control_.audit_log = parts_->audit.get();
  if (config.boolean("auth_enabled")) {
    parts_->jwks = std::make_unique<auth::JwksProvider>(jwks_options(config));
    parts_->jwks->load();
    parts_->verifier = std::make_unique<auth::TokenVerifier>(verifier_options(config), *parts_->jwks);
    // Roles and grants of the users table add to the token's permissions;
    // reading them needs no data key.
    parts_->users = std::make_unique<PgUsers>(control, nullptr);
    auto grants = [users = parts_->users.get()](std::string_view subject) {
      return users->granted_permissions(subject);
    };
    parts_->shared_tokens = shared_token_cache(config, portal);
    parts_->authenticator = std::make_unique<auth::Authenticator>(
        *parts_->verifier, grants, authenticator_options(config), parts_->shared_tokens.get());
    control_.authenticator = parts_->authenticator.get();
    log->info("bearer tokens required: issuer {}, audience {}, {} signing keys from {}", config.str("auth_issuer"),
              config.str("auth_audience"), parts_->jwks->kids().size(), config.str("auth_jwks"));
  } else {
    if (!is_loopback_listen(config.str("listen"))) {
      throw ConfigError("auth_enabled=false is only allowed when listening on loopback, not on '" +
                        config.str("listen") + "'");
    }
    log->warn("AUTHENTICATION IS DISABLED: every request acts as a platform operator; never do this beyond "
              "a developer's machine");
  }
  parts_->per_address =
      std::make_unique<RateLimiter>(rate_limit(config, "rate_limit_ip_per_second", "rate_limit_ip_burst"));
  parts_->per_token =
      std::make_unique<RateLimiter>(rate_limit(config, "rate_limit_token_per_second", "rate_limit_token_burst"));
  control_.per_address = parts_->per_address.get();
  control_.per_token = parts_->per_token.get();
  control_.trust_forwarded_for = config.boolean("http_trust_forwarded_for");
}

Access::~Access() = default;

AsyncAuditStats Access::audit_stats() const { return parts_->audit->stats(); }

std::optional<PrincipalStoreStats> Access::shared_token_cache_stats() const {
  if (!parts_->shared_tokens) return std::nullopt;
  return parts_->shared_tokens->stats();
}

}  // namespace promptsales::sales
