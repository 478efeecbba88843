#pragma once
// Turns ServerOptions::listen ("host:port") into an endpoint.

#include <string_view>

#include "asio_types.hpp"

namespace promptsales::http::detail {

/// Parses "host:port", "[v6]:port", ":port" or "*:port" (any address).
/// Host names are resolved once. Throws promptsales::ConfigError.
tcp::endpoint resolve_listen_address(std::string_view listen, asio::io_context& context);

}  // namespace promptsales::http::detail
