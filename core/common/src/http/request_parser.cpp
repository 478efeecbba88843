#include "request_parser.hpp"

#include <algorithm>

#include <boost/beast/http/error.hpp>

#include "request_id.hpp"

namespace promptsales::http::detail {
namespace {

/// Body capacity reserved up front from Content-Length. A client may
/// announce a large body and send nothing, so larger bodies grow as they
/// arrive instead of reserving max_body_bytes per connection.
constexpr std::size_t kMaxBodyReserve = 64 * 1024;

char lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c; }

bool iequals_lower(std::string_view text, std::string_view lower_text) noexcept {
  if (text.size() != lower_text.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (lower(text[i]) != lower_text[i]) return false;
  }
  return true;
}

}  // namespace

RequestParser::RequestParser(Request& request, std::size_t max_header_bytes, std::size_t max_body_bytes)
    : request_(request), max_header_bytes_(max_header_bytes) {
  header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(max_header_bytes, UINT32_MAX)));
  body_limit(std::uint64_t{max_body_bytes});
  // Parse header and body in one put() when both are buffered.
  eager(true);
}

void RequestParser::count_head_bytes(std::size_t bytes, error_code& ec) {
  head_bytes_ += bytes;
  if (head_bytes_ > max_header_bytes_) ec = boost::beast::http::error::header_limit;
}

void RequestParser::on_request_impl(boost::beast::http::verb, beast_view method_text,
                                    beast_view target, int version, error_code& ec) {
  count_head_bytes(method_text.size() + target.size() + 12, ec);  // "M T HTTP/1.1\r\n"
  request_.method = method_from_string(method_text);
  request_.target.assign(target);
  version_ = version;
}

void RequestParser::on_response_impl(int, beast_view, int, error_code&) {}

void RequestParser::on_field_impl(boost::beast::http::field name, beast_view name_text,
                                  beast_view value, error_code& ec) {
  count_head_bytes(name_text.size() + value.size() + 4, ec);  // "N: V\r\n"
  if (ec) return;
  auto& [field_name, field_value] = request_.headers.emplace_back();
  field_name.resize(name_text.size());
  std::transform(name_text.begin(), name_text.end(), field_name.begin(), lower);
  field_value.assign(value);
  if (name == boost::beast::http::field::expect && iequals_lower(value, "100-continue")) {
    expect_continue_ = true;
  }
  if (request_.request_id.empty() && field_name == "x-request-id" && acceptable_request_id(value)) {
    request_.request_id.assign(value);
  }
}

void RequestParser::on_header_impl(error_code&) {}

void RequestParser::on_body_init_impl(const boost::optional<std::uint64_t>& content_length, error_code&) {
  if (content_length) {
    request_.body.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(*content_length, kMaxBodyReserve)));
  }
}

std::size_t RequestParser::on_body_impl(beast_view body, error_code&) {
  request_.body.append(body);
  return body.size();
}

void RequestParser::on_chunk_header_impl(std::uint64_t, beast_view, error_code&) {}

std::size_t RequestParser::on_chunk_body_impl(std::uint64_t, beast_view body, error_code&) {
  request_.body.append(body);
  return body.size();
}

void RequestParser::on_finish_impl(error_code&) {}

}  // namespace promptsales::http::detail
