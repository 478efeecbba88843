#pragma once
/// From an Authorization header to a Principal, fast: a token verified once
/// is remembered until it expires, so the hot path costs a hash lookup, not
/// an RSA verification and a users-table query. Two tiers: in the process,
/// and (optionally) in Redis so a token verified by one pod is known to all
/// without each querying the users table.

#include <array>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "promptsales/common/auth/principal.hpp"
#include "promptsales/common/auth/token_verifier.hpp"

namespace promptsales::auth {

/// Extra permissions the users table grants a subject (roles and grants).
/// May block (a database query). Unknown subjects get an empty set.
using GrantLookup = std::function<PermissionSet(std::string_view subject)>;

/// A shared second tier for verified principals (Redis in production).
/// Implementations must never throw: a failure is a miss.
class PrincipalStore {
 public:
  virtual ~PrincipalStore() = default;
  virtual std::optional<Principal> find(std::string_view token_digest) noexcept = 0;
  virtual void put(std::string_view token_digest, const Principal& p, std::chrono::seconds ttl) noexcept = 0;
};

struct AuthenticatorOptions {
  /// Tokens remembered in the process (spread over shards; a full shard is
  /// emptied, which costs a re-verification, never a wrong answer).
  std::size_t cache_max_entries = 100'000;
  /// A cached principal is re-derived at least this often, so a permission
  /// revoked in the users table takes effect within it.
  std::chrono::seconds max_cache_age{60};
};

class Authenticator {
 public:
  Authenticator(const TokenVerifier& verifier, GrantLookup grants = {}, AuthenticatorOptions options = {},
                PrincipalStore* shared = nullptr);

  /// Never blocks: the principal of an Authorization header value seen and
  /// verified before, still within its token's lifetime; null otherwise.
  std::shared_ptr<const Principal> cached(std::string_view authorization) const;
  /// cached(), else verifies the token (may block: JWKS refresh, users
  /// table, Redis) and remembers it. Throws InvalidToken (401) or Forbidden.
  std::shared_ptr<const Principal> authenticate(std::string_view authorization);

  /// Forgets every cached principal (after a permission change in the
  /// users table made from this process).
  void clear() noexcept;

 private:
  struct Entry {
    std::shared_ptr<const Principal> principal;
    std::int64_t valid_until = 0;  ///< seconds since the epoch
  };
  /// Lets lookups use the header's string_view without copying the token.
  struct TokenHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  struct Shard {
    mutable std::mutex mutex;
    std::unordered_map<std::string, Entry, TokenHash, std::equal_to<>> entries;
  };
  static constexpr std::size_t kShards = 16;

  Shard& shard_of(std::string_view token) const;
  void remember(std::string_view token, std::shared_ptr<const Principal> p, std::int64_t now);

  const TokenVerifier& verifier_;
  GrantLookup grants_;
  AuthenticatorOptions options_;
  PrincipalStore* shared_;
  mutable std::array<Shard, kShards> shards_;
};

}  // namespace promptsales::auth
