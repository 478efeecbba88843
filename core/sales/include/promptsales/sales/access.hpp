#pragma once
/// Builds the server's AccessControl from the configuration: the JWKS, the
/// token verifier, the verified-token cache (in the process and, with Redis
/// and a data key, shared by every pod) and the rate limiters.

#include <memory>
#include <optional>
#include <string_view>

#include "promptsales/common/config.hpp"
#include "promptsales/sales/redis_principal_store.hpp"
#include "promptsales/sales/route_guard.hpp"

namespace promptsales::sales {

class Portal;

class Access {
 public:
  /// Loads the JWKS now (a server must not start unable to verify tokens).
  /// With auth_enabled=false, refuses (ConfigError) unless `listen` is a
  /// loopback address, and logs a warning. Throws ConfigError naming the
  /// key for bad settings.
  Access(const Config& config, Portal& portal);
  ~Access();
  Access(const Access&) = delete;
  Access& operator=(const Access&) = delete;

  const AccessControl& control() const noexcept { return control_; }
  bool enabled() const noexcept { return control_.authenticator != nullptr; }
  /// Sets AccessControl::on_refused (metrics); call before serving.
  void on_refused(std::function<void(const http::Request&, int status, std::string_view reason)> callback) {
    control_.on_refused = std::move(callback);
  }
  /// The asynchronous audit writer's counters.
  AsyncAuditStats audit_stats() const;
  /// The Redis tier of the verified-token cache, when it is on.
  std::optional<PrincipalStoreStats> shared_token_cache_stats() const;

 private:
  struct Parts;
  std::unique_ptr<Parts> parts_;
  AccessControl control_;
};

/// True for "127.x.x.x:port", "localhost:port" and "[::1]:port".
bool is_loopback_listen(std::string_view listen);

}  // namespace promptsales::sales
