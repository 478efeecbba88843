#include "promptsales/sales/route_guard.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdexcept>

#include "promptsales/common/errors.hpp"
#include "promptsales/common/utf8.hpp"

namespace promptsales::sales {
namespace {

using http::Request;
using http::Response;

/// What a request acts as when auth is off: an operator who may do anything.
const auth::Principal& unauthenticated_operator() {
  static const auth::Principal p = [] {
    auth::Principal op;
    op.subject = "anonymous (auth disabled)";
    for (const auto perm : auth::all_permissions()) op.permissions.add(perm);
    return op;
  }();
  return p;
}

/// A value safe inside a quoted-string of WWW-Authenticate.
std::string quoted(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) out += (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) ? '\'' : c;
  return out;
}

Response unauthorized(const auth::InvalidToken& e) {
  auto res = Response::error(401, e.code(), e.what());
  std::string challenge = R"(Bearer realm="promptsales")";
  if (!e.oauth_error().empty()) {
    challenge += R"(, error=")" + e.oauth_error() + R"(", error_description=")" + quoted(e.what()) + '"';
  }
  res.headers.emplace_back("WWW-Authenticate", std::move(challenge));
  return res;
}

Response missing_permission(auth::Permission needed) {
  const std::string name(auth::to_string(needed));
  auto res = Response::error(403, "forbidden", "this token lacks the permission " + name);
  res.headers.emplace_back("WWW-Authenticate",
                           R"(Bearer realm="promptsales", error="insufficient_scope", scope=")" + name + '"');
  return res;
}

Response too_many(std::int64_t retry_after, std::string_view what) {
  auto res = Response::error(429, "rate_limited", "too many requests for this " + std::string(what) +
                                                      "; retry after " + std::to_string(retry_after) + " s");
  res.headers.emplace_back("Retry-After", std::to_string(retry_after));
  return res;
}

/// The per-address and per-token limits; a response when one refuses.
std::optional<Response> limit(const AccessControl& access, const Request& req) {
  if (access.per_address) {
    if (const auto d = access.per_address->take(client_address(req, access.trust_forwarded_for)); !d.allowed) {
      if (access.on_refused) access.on_refused(req, 429, "rate limit per address");
      return too_many(d.retry_after_seconds, "client address");
    }
  }
  if (access.per_token) {
    if (const auto header = req.header("authorization"); header && !header->empty()) {
      if (const auto d = access.per_token->take(*header); !d.allowed) {
        if (access.on_refused) access.on_refused(req, 429, "rate limit per token");
        return too_many(d.retry_after_seconds, "token");
      }
    }
  }
  return std::nullopt;
}

// Audit fields come partly from the client (path, token subject, address).
// One unstorable value would fail the writer's whole batch, so they are
// checked here: the address must parse, text must be valid UTF-8 and short.

std::optional<std::string> storable_ip(std::string_view text) {
  const std::string s(text.substr(0, INET6_ADDRSTRLEN));
  unsigned char buf[sizeof(in6_addr)];
  if (inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1) return s;
  return std::nullopt;
}

std::string storable_text(std::string_view text, std::size_t max_bytes) {
  if (!utf8_length(text)) return "<not UTF-8>";
  if (text.size() <= max_bytes) return std::string(text);
  std::size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // a code point's start
  return std::string(text.substr(0, cut)) + "...";
}

/// A refused request in the audit log: failed logins (401) and missing
/// permissions (403). Rate-limited requests are not recorded: a flood would
/// only fill the writer's queue.
void audit_refusal(const AccessControl& access, const Request& req, int status, std::string_view reason,
                   const auth::Principal* who) {
  if (!access.audit_log) return;
  AuditEvent e;
  e.actor = who ? "user:" + storable_text(who->subject, 250) : "anonymous";
  e.action = status == 401 ? "auth.login_failed" : "auth.permission_denied";
  e.target = std::string(http::to_string(req.method)) + " " + storable_text(req.path, 200);
  if (who) e.organization_id = who->organization_id;
  e.outcome = AuditOutcome::denied;
  e.client_ip = storable_ip(client_address(req, access.trust_forwarded_for));
  e.details = {{"reason", storable_text(reason, 200)}, {"requestId", req.request_id}};
  access.audit_log->record(e);
}

std::optional<Response> refuse_without(const AccessControl& access, const Request& req, const auth::Principal& p,
                                       auth::Permission needed) {
  if (p.can(needed)) return std::nullopt;
  if (access.on_refused) access.on_refused(req, 403, auth::to_string(needed));
  audit_refusal(access, req, 403, "missing permission " + std::string(auth::to_string(needed)), &p);
  return missing_permission(needed);
}

}  // namespace

void audit(const AccessControl& access, const Request& req, const auth::Principal& who, std::string action,
           std::string target, std::optional<std::int64_t> organization_id) {
  if (!access.audit_log) return;
  AuditEvent e;
  e.actor = "user:" + storable_text(who.subject, 250);
  e.action = std::move(action);
  e.target = std::move(target);
  e.organization_id = organization_id;
  e.client_ip = storable_ip(client_address(req, access.trust_forwarded_for));
  e.details = {{"requestId", req.request_id}};
  access.audit_log->record(e);
}

std::string_view client_address(const Request& req, bool trust_forwarded_for) {
  if (trust_forwarded_for) {
    if (const auto xff = req.header("x-forwarded-for")) {
      // The load balancer appends the address it saw: the last entry.
      auto last = xff->substr(xff->rfind(',') == std::string_view::npos ? 0 : xff->rfind(',') + 1);
      while (!last.empty() && last.front() == ' ') last.remove_prefix(1);
      while (!last.empty() && last.back() == ' ') last.remove_suffix(1);
      if (!last.empty()) return last;
    }
  }
  return req.remote_address;
}

http::Handler guarded(const AccessControl& access, auth::Permission needed, GuardedFast fast,
                      GuardedBlocking blocking) {
  const bool limits_in_fast = static_cast<bool>(fast);
  http::Handler h;
  if (fast) {
    // The server always tries `fast` first, so limits are counted here once.
    h.fast = [&access, needed, fast = std::move(fast)](const Request& req) -> std::optional<Response> {
      if (auto refused = limit(access, req)) return refused;
      if (!access.authenticator) return fast(req, unauthenticated_operator());
      const auto principal = access.authenticator->cached(req.header("authorization").value_or(""));
      if (!principal) return std::nullopt;  // verify on a worker
      if (auto refused = refuse_without(access, req, *principal, needed)) return refused;
      return fast(req, *principal);
    };
  }
  h.blocking = [&access, needed, limits_in_fast, blocking = std::move(blocking)](const Request& req) -> Response {
    if (!limits_in_fast) {
      if (auto refused = limit(access, req)) return *refused;
    }
    if (!access.authenticator) return blocking(req, unauthenticated_operator());
    std::shared_ptr<const auth::Principal> principal;
    try {
      principal = access.authenticator->authenticate(req.header("authorization").value_or(""));
    } catch (const auth::InvalidToken& e) {
      if (access.on_refused) access.on_refused(req, 401, e.what());
      audit_refusal(access, req, 401, e.what(), nullptr);
      return unauthorized(e);
    } catch (const Forbidden& e) {
      if (access.on_refused) access.on_refused(req, 403, e.what());
      audit_refusal(access, req, 403, e.what(), nullptr);
      return Response::error(403, e.code(), e.what());
    }
    if (auto refused = refuse_without(access, req, *principal, needed)) return *refused;
    return blocking(req, *principal);
  };
  return h;
}

http::Handler guarded(const AccessControl& access, auth::Permission needed, GuardedFast fast, GuardedAsync async,
                      GuardedBlocking blocking) {
  if (!fast) throw std::invalid_argument("guarded: an async handler needs a fast one (it counts the rate limits)");
  http::Handler h = guarded(access, needed, std::move(fast), std::move(blocking));
  if (!async) return h;
  h.async = [&access, needed, async = std::move(async)](const Request& req, const http::Responder& responder) {
    // The rate limits were counted by `fast`, which the server runs first.
    if (!access.authenticator) return async(req, unauthenticated_operator(), responder);
    const auto principal = access.authenticator->cached(req.header("authorization").value_or(""));
    // An unverified token (or a missing permission) is `blocking`'s to answer.
    if (!principal || !principal->can(needed)) return false;
    return async(req, *principal, responder);
  };
  return h;
}

}  // namespace promptsales::sales
