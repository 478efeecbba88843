#include "connection.hpp"

#include "server_core.hpp"

namespace promptsales::http::detail {

void launch_connection(ServerCore& core, IoThread& io, Socket socket) {
  if (core.tls_context) {
    launch_tls_connection(core, io, std::move(socket));
  } else {
    launch_plain_connection(core, io, std::move(socket));
  }
}

}  // namespace promptsales::http::detail
