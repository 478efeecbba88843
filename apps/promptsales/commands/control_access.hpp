#pragma once
/// What the user, tenant, keys and audit commands share: a small pool on the
/// control database, the data keys, the acting operator, and recording each
/// change in the audit log (success or failure).

#include <memory>
#include <optional>
#include <string>
#include <type_traits>

#include "promptsales/common/audit.hpp"
#include "promptsales/common/crypto/data_key.hpp"
#include "promptsales/common/db/pool.hpp"
#include "promptsales/common/errors.hpp"

namespace promptsales::app {
class AppContext;

/// A pool of two connections to `database_url`.
std::unique_ptr<db::Pool> open_control(AppContext& ctx);
/// A pool of `size` connections to the PromptCrm database (located through the registry).
std::unique_ptr<db::Pool> open_crm(AppContext& ctx, std::size_t size = 2);

/// PROMPTSALES_ACTOR, or "cli:<OS user>".
std::string cli_actor();

/// Runs `fn`, then records `event` with outcome success, or failure (with
/// the error's code and message) if `fn` throws, and rethrows. A failure to
/// record after success is an error: a change must not go unaudited.
template <typename Fn>
auto audited(db::Pool& control, AuditEvent event, Fn&& fn) -> decltype(fn(event)) {
  PgAuditLog log(control);
  event.actor = cli_actor();
  try {
    if constexpr (std::is_void_v<decltype(fn(event))>) {
      fn(event);
      log.record(event);
    } else {
      auto result = fn(event);
      log.record(event);
      return result;
    }
  } catch (const Error& e) {
    event.outcome = AuditOutcome::failure;
    event.details["error"] = {{"code", e.code()}, {"message", e.what()}};
    try {
      log.record(event);
    } catch (...) {
      // The original error matters more; the database may be the cause.
    }
    throw;
  }
}

}  // namespace promptsales::app
