#include "server_core.hpp"

namespace promptsales::http::detail {
namespace {

std::shared_ptr<ServerObserver> or_default(std::shared_ptr<ServerObserver> observer) {
  return observer ? std::move(observer) : std::make_shared<ServerObserver>();
}

}  // namespace

ServerCore::ServerCore(ServerOptions server_options, const Router& server_router,
                       std::shared_ptr<ServerObserver> server_observer)
    : options(std::move(server_options)),
      router(server_router),
      observer_owner(or_default(std::move(server_observer))),
      observer(*observer_owner) {}

void ServerCore::connection_closed() noexcept {
  if (open_connections.fetch_sub(1, std::memory_order_acq_rel) == 1 && draining.load()) {
    on_drained();
  }
}

}  // namespace promptsales::http::detail
