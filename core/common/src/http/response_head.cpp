#include "response_head.hpp"

#include <charconv>

#include "http_date.hpp"
#include "log.hpp"

namespace promptsales::http::detail {
namespace {

bool is_token_char(char c) noexcept {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
    case '-': case '.': case '^': case '_': case '`': case '|': case '~':
      return true;
    default:
      return false;
  }
}

bool valid_name(std::string_view name) noexcept {
  if (name.empty()) return false;
  for (const char c : name) {
    if (!is_token_char(c)) return false;
  }
  return true;
}

bool valid_value(std::string_view value) noexcept {
  return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const char x = (a[i] >= 'A' && a[i] <= 'Z') ? static_cast<char>(a[i] + 32) : a[i];
    if (x != b[i]) return false;
  }
  return true;
}

/// Fields the server writes itself; a handler's copy would duplicate or
/// contradict them and break message framing.
bool server_owned(std::string_view name) noexcept {
  for (const std::string_view owned : {"content-length", "transfer-encoding", "connection", "keep-alive",
                                       "date", "server", "x-request-id", "content-type"}) {
    if (iequals(name, owned)) return true;
  }
  return false;
}

void append_field(std::string& out, std::string_view name, std::string_view value) {
  out.append(name);
  out.append(": ");
  out.append(value);
  out.append("\r\n");
}

void append_number(std::string& out, std::size_t n) {
  char digits[24];
  const auto result = std::to_chars(digits, digits + sizeof digits, n);
  out.append(digits, result.ptr);
}

}  // namespace

bool status_has_no_body(int status) noexcept {
  return (status >= 100 && status < 200) || status == 204 || status == 304;
}

std::string_view reason_phrase(int status) noexcept {
  switch (status) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 402: return "Payment Required";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 416: return "Range Not Satisfiable";
    case 417: return "Expectation Failed";
    case 422: return "Unprocessable Content";
    case 425: return "Too Early";
    case 426: return "Upgrade Required";
    case 428: return "Precondition Required";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return "";
  }
}

void serialize_head(const Response& response, std::size_t body_size, const HeadFields& fields,
                    std::string& out) {
  out.clear();
  const int status = (response.status >= 100 && response.status <= 999) ? response.status : 500;
  out.append("HTTP/1.1 ");
  append_number(out, static_cast<std::size_t>(status));
  out += ' ';
  out.append(reason_phrase(status));
  out.append("\r\n");
  append_field(out, "Server", fields.server_name);
  append_field(out, "Date", http_date_now());
  if (!status_has_no_body(status)) {
    const bool type_ok = !response.content_type.empty() && valid_value(response.content_type);
    append_field(out, "Content-Type", type_ok ? std::string_view(response.content_type)
                                              : std::string_view("application/octet-stream"));
    out.append("Content-Length: ");
    append_number(out, body_size);
    out.append("\r\n");
  }
  append_field(out, "X-Request-Id", fields.request_id);
  for (const auto& [name, value] : response.headers) {
    if (!valid_name(name) || !valid_value(value)) {
      // The name is logged only when it is a clean token: it came from code,
      // but an invalid one could still carry line breaks into the log.
      logger().warn("dropped response header field '{}' with an invalid name or value",
                    valid_name(name) ? std::string_view(name) : std::string_view("?"));
      continue;
    }
    if (server_owned(name)) continue;
    append_field(out, name, value);
  }
  if (fields.connection == ConnectionHeader::close) {
    out.append("Connection: close\r\n");
  } else if (fields.connection == ConnectionHeader::keep_alive) {
    out.append("Connection: keep-alive\r\n");
  }
  out.append("\r\n");
}

}  // namespace promptsales::http::detail
