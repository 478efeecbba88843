#pragma once
// Serializes a response's status line and header block into a reusable
// buffer, so a response goes out as one write of head + shared body.

#include <cstddef>
#include <string>
#include <string_view>

#include "promptsales/common/http/message.hpp"

namespace promptsales::http::detail {

/// What the `Connection` header says.
enum class ConnectionHeader { none, close, keep_alive };

/// Everything the head needs besides the status and extra fields.
struct HeadFields {
  std::string_view server_name;
  std::string_view request_id;
  ConnectionHeader connection = ConnectionHeader::none;
};

/// True when RFC 9110 forbids a body and Content-Length (1xx, 204) or the
/// body is not sent (304).
bool status_has_no_body(int status) noexcept;

/// The reason phrase for `status` ("" for codes without one).
std::string_view reason_phrase(int status) noexcept;

/// Replaces `out` with "HTTP/1.1 ..." up to and including the blank line.
/// `body_size` is announced as Content-Length unless status_has_no_body().
/// Extra fields that would corrupt framing (CR/LF/NUL, invalid names) or that
/// the server owns (Content-Length, Connection, ...) are skipped.
void serialize_head(const Response& response, std::size_t body_size, const HeadFields& fields,
                    std::string& out);

}  // namespace promptsales::http::detail
