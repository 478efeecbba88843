// Connection<Socket>: HTTP over plain TCP.
#include "connection_impl.hpp"

namespace promptsales::http::detail {

void launch_plain_connection(ServerCore& core, IoThread& io, Socket socket) {
  auto connection = std::make_shared<Connection<Socket>>(core, io, std::move(socket));
  asio::post(io.context(), [connection = std::move(connection)] { connection->start(); });
}

}  // namespace promptsales::http::detail
