#pragma once
// An HTTP/1.x request parser that writes straight into a reused Request:
// Beast's basic_parser does the framing (chunked, limits, keep-alive rules)
// while the fields land in the connection's own buffers, with no Beast
// message container allocating per field.

#include <boost/beast/http/basic_parser.hpp>

#include "promptsales/common/http/message.hpp"

namespace promptsales::http::detail {

/// Parses one request into `request` (which the caller has cleared). Beast
/// parsers are single-use: construct a new one for each request.
class RequestParser final : public boost::beast::http::basic_parser<true> {
 public:
  using error_code = boost::system::error_code;
  /// Beast's view type (boost::core::string_view; converts to std::string_view).
  using beast_view = boost::beast::string_view;

  /// `max_header_bytes` and `max_body_bytes` become the parser's limits.
  RequestParser(Request& request, std::size_t max_header_bytes, std::size_t max_body_bytes);

  /// The request's HTTP version as major * 10 + minor: 10 or 11.
  int version() const noexcept { return version_; }
  /// The client sent `Expect: 100-continue`.
  bool expects_continue() const noexcept { return expect_continue_; }

 private:
  void on_request_impl(boost::beast::http::verb method, beast_view method_text, beast_view target,
                       int version, error_code& ec) override;
  void on_response_impl(int status, beast_view reason, int version, error_code& ec) override;
  void on_field_impl(boost::beast::http::field name, beast_view name_text, beast_view value,
                     error_code& ec) override;
  void on_header_impl(error_code& ec) override;
  void on_body_init_impl(const boost::optional<std::uint64_t>& content_length, error_code& ec) override;
  std::size_t on_body_impl(beast_view body, error_code& ec) override;
  void on_chunk_header_impl(std::uint64_t size, beast_view extensions, error_code& ec) override;
  std::size_t on_chunk_body_impl(std::uint64_t remain, beast_view body, error_code& ec) override;
  void on_finish_impl(error_code& ec) override;

  /// Adds a piece of the head to head_bytes_; header_limit once over.
  void count_head_bytes(std::size_t bytes, error_code& ec);

  Request& request_;
  /// Beast measures header_limit per put() call, so a head that arrives in
  /// several reads could grow past it; the whole head is counted here.
  std::size_t max_header_bytes_;
  std::size_t head_bytes_ = 0;
  int version_ = 11;
  bool expect_continue_ = false;
};

}  // namespace promptsales::http::detail
