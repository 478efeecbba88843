#pragma once
/// The fail-fast reachability check before a run.

#include <boost/asio/ip/tcp.hpp>
#include <chrono>

#include "promptsales/common/loadgen/url_template.hpp"

namespace promptsales::loadgen::detail {

/// Resolves the URL's host and opens (and closes) one connection, returning
/// the endpoint that answered. Throws Unavailable naming the URL otherwise, so
/// an operator sees "cannot connect" instead of a run full of connect errors.
boost::asio::ip::tcp::endpoint find_reachable_endpoint(const UrlTemplate& url, std::chrono::milliseconds timeout);

}  // namespace promptsales::loadgen::detail
