#pragma once
// Asio types shared by the server's translation units. Sockets are bound to
// io_context::executor_type rather than any_io_executor: each I/O thread owns
// one io_context, and the concrete executor avoids type erasure on every
// operation.

#include <chrono>

// With optimization, GCC 12 reports -Wnull-dereference inside Asio's own
// scheduler and executor code once it is inlined into ours (false positives
// on thread-local pointers it cannot prove non-null). Diagnostics are
// classified by the location of the warned code, so silencing the warning
// for the text of these headers keeps it active for our own code. Every
// Asio header the server uses is included here, first, for that reason.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>
#pragma GCC diagnostic pop

namespace promptsales::http::detail {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using Executor = asio::io_context::executor_type;
using Socket = asio::basic_stream_socket<tcp, Executor>;
using Acceptor = asio::basic_socket_acceptor<tcp, Executor>;
using Clock = std::chrono::steady_clock;

}  // namespace promptsales::http::detail
