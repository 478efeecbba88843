#pragma once
/// Authentication, authorization and rate limiting in front of a route: the
/// one place that turns an Authorization header into a Principal and
/// checks the permission the route declares. Handlers behind it receive the
/// Principal and pass its Tenancy to the services, which confine every read
/// and write to the caller's organization.

#include <functional>
#include <optional>

#include "promptsales/common/audit.hpp"
#include "promptsales/common/auth/authenticator.hpp"
#include "promptsales/common/auth/permissions.hpp"
#include "promptsales/common/http/router.hpp"
#include "promptsales/common/rate_limiter.hpp"

namespace promptsales::sales {

/// Shared by every guarded route of a server.
struct AccessControl {
  /// Null when auth is turned off (development on loopback only): every
  /// request then acts as a platform operator.
  auth::Authenticator* authenticator = nullptr;
  RateLimiter* per_address = nullptr;  ///< may be null
  RateLimiter* per_token = nullptr;    ///< may be null
  /// Client address from the last X-Forwarded-For entry (behind a load balancer).
  bool trust_forwarded_for = false;
  /// Receives failed logins (401), refused permissions (403) and, through
  /// audit(), the routes' writes. May be null. Must not block.
  AuditSink* audit_log = nullptr;
  /// Told about every refused request (401, 403, 429) with a short reason
  /// (metrics). May be empty.
  std::function<void(const http::Request&, int status, std::string_view reason)> on_refused;
};

/// Records that `who` did `action` ("campaign.update") to `target`
/// ("campaign:42") of `organization_id`, from the request's client address.
void audit(const AccessControl& access, const http::Request& req, const auth::Principal& who, std::string action,
           std::string target, std::optional<std::int64_t> organization_id);

using GuardedFast = std::function<std::optional<http::Response>(const http::Request&, const auth::Principal&)>;
using GuardedBlocking = std::function<http::Response(const http::Request&, const auth::Principal&)>;
using GuardedAsync = std::function<bool(const http::Request&, const auth::Principal&, const http::Responder&)>;

/// A route handler that requires `needed`. `fast` (may be empty) runs on the
/// I/O thread when the token was verified before; otherwise `blocking`
/// verifies it. 401 carries a WWW-Authenticate challenge (RFC 6750), 403 names
/// the missing permission, 429 carries Retry-After.
http::Handler guarded(const AccessControl& access, auth::Permission needed, GuardedFast fast,
                      GuardedBlocking blocking);

/// As above, plus an `async` handler (may be empty) tried on the I/O thread
/// when `fast` declined and the token was verified before; it returns false
/// to leave the request to `blocking`. Requires `fast`, which counts the
/// rate limits for the request.
http::Handler guarded(const AccessControl& access, auth::Permission needed, GuardedFast fast, GuardedAsync async,
                      GuardedBlocking blocking);

/// The client address used for per-address limits.
std::string_view client_address(const http::Request& req, bool trust_forwarded_for);

}  // namespace promptsales::sales
