#include "promptsales/common/auth/authenticator.hpp"

#include <algorithm>
#include <ctime>

#include "promptsales/common/hash.hpp"

namespace promptsales::auth {
namespace {

std::int64_t now_seconds() noexcept { return static_cast<std::int64_t>(std::time(nullptr)); }

}  // namespace

Authenticator::Authenticator(const TokenVerifier& verifier, GrantLookup grants, AuthenticatorOptions options,
                             PrincipalStore* shared)
    : verifier_(verifier), grants_(std::move(grants)), options_(options), shared_(shared) {}

Authenticator::Shard& Authenticator::shard_of(std::string_view token) const {
  return shards_[std::hash<std::string_view>{}(token) % kShards];
}

std::shared_ptr<const Principal> Authenticator::cached(std::string_view authorization) const {
  std::string_view token;
  try {
    token = bearer_token(authorization);
  } catch (const InvalidToken&) {
    return nullptr;
  }
  const auto& shard = shard_of(token);
  std::lock_guard lock(shard.mutex);
  const auto it = shard.entries.find(token);
  if (it == shard.entries.end() || it->second.valid_until <= now_seconds()) return nullptr;
  return it->second.principal;
}

std::shared_ptr<const Principal> Authenticator::authenticate(std::string_view authorization) {
  if (auto p = cached(authorization)) return p;
  const auto token = bearer_token(authorization);
  const auto now = now_seconds();
  const std::string digest = shared_ ? sha256_hex(token) : std::string();
  if (shared_) {
    // Another pod verified this token and looked up its grants.
    if (auto found = shared_->find(digest); found && found->expires_at > now) {
      auto p = std::make_shared<const Principal>(std::move(*found));
      remember(token, p, now);
      return p;
    }
  }
  Principal verified = verifier_.verify(token);
  if (grants_) verified.permissions.add(grants_(verified.subject));
  auto p = std::make_shared<const Principal>(std::move(verified));
  remember(token, p, now);
  if (shared_) {
    const auto ttl = std::min<std::int64_t>(p->expires_at - now, options_.max_cache_age.count());
    if (ttl > 0) shared_->put(digest, *p, std::chrono::seconds(ttl));
  }
  return p;
}

void Authenticator::remember(std::string_view token, std::shared_ptr<const Principal> p, std::int64_t now) {
  const auto until = std::min<std::int64_t>(p->expires_at, now + options_.max_cache_age.count());
  if (until <= now) return;
  auto& shard = shard_of(token);
  const std::size_t per_shard = std::max<std::size_t>(1, options_.cache_max_entries / kShards);
  std::lock_guard lock(shard.mutex);
  if (shard.entries.size() >= per_shard) shard.entries.clear();
  shard.entries[std::string(token)] = Entry{std::move(p), until};
}

void Authenticator::clear() noexcept {
  for (auto& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    shard.entries.clear();
  }
}

}  // namespace promptsales::auth
