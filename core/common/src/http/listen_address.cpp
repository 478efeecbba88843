#include "listen_address.hpp"

#include <charconv>
#include <string>

#include "promptsales/common/errors.hpp"

namespace promptsales::http::detail {
namespace {

[[noreturn]] void invalid(std::string_view listen, std::string_view why) {
  throw ConfigError("invalid listen address '" + std::string(listen) + "': " + std::string(why));
}

}  // namespace

tcp::endpoint resolve_listen_address(std::string_view listen, asio::io_context& context) {
  const std::size_t colon = listen.rfind(':');
  if (colon == std::string_view::npos) invalid(listen, "expected host:port");
  std::string_view host = listen.substr(0, colon);
  const std::string_view port_text = listen.substr(colon + 1);

  unsigned port = 0;
  const auto [end, err] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || err != std::errc() || end != port_text.data() + port_text.size() || port > 65535) {
    invalid(listen, "port must be a number from 0 to 65535");
  }
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    invalid(listen, "write IPv6 addresses in brackets, as [::1]:8080");
  }
  if (host.empty() || host == "*") return {asio::ip::address_v4::any(), static_cast<unsigned short>(port)};

  error_code ec;
  const auto address = asio::ip::make_address(std::string(host), ec);
  if (!ec) return {address, static_cast<unsigned short>(port)};

  tcp::resolver resolver(context);
  const auto results = resolver.resolve(std::string(host), std::string(port_text),
                                        tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || results.empty()) {
    invalid(listen, "cannot resolve host: " + (ec ? ec.message() : std::string("no addresses")));
  }
  return results.begin()->endpoint();
}

}  // namespace promptsales::http::detail
