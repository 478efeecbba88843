#pragma once
// The TLS stream type of the server. Beast's ssl_stream rather than Asio's
// ssl::stream: it coalesces the gathered head-and-body write into one TLS
// record instead of one record per buffer. It wraps the plain Socket, not a
// beast::tcp_stream: deadlines come from the I/O thread's sweep, as for
// plain connections, so no per-operation timers are needed.

#include "asio_types.hpp"  // first: it wraps the Asio headers (see there)

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#pragma GCC diagnostic pop

namespace promptsales::http::detail {

using TlsStream = boost::beast::ssl_stream<Socket>;

}  // namespace promptsales::http::detail
