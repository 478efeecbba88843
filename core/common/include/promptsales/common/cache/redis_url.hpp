#pragma once
/// Redis connection URLs: `redis://[[user]:password@]host[:port][/db]`.

#include <cstdint>
#include <string>
#include <string_view>

namespace promptsales::cache {

/// A parsed Redis URL. The password is a secret: print `redacted()`, never the fields.
struct RedisUrl {
  std::string host;
  std::uint16_t port = 6379;
  int db = 0;
  std::string user;      ///< empty: authenticate as the default user
  std::string password;  ///< empty: no AUTH on connect

  /// The URL with the password replaced by `***`, for logs and `config show`.
  std::string redacted() const;
};

/// Parses a `redis://` URL (user and password percent-decoded, IPv6 hosts in
/// brackets). Throws std::invalid_argument naming the problem; the message
/// never contains the password.
RedisUrl parse_redis_url(std::string_view url);

/// Sets `url.password` from a mounted secret file (its content, without a
/// trailing newline), replacing any password the URL carried: the file wins,
/// so the URL can live in a ConfigMap and the password in a Secret. Throws
/// std::invalid_argument naming the file (never its content) when it cannot
/// be read, is empty, or has more than one line.
void apply_password_file(RedisUrl& url, const std::string& path);

}  // namespace promptsales::cache
