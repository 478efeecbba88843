#pragma once
/// The identity provider's public keys (a JWKS document, RFC 7517), read
/// from a file or fetched over HTTPS, and refreshed when a token names a key
/// id we do not know: that is how a key rotation at the provider reaches
/// running servers without a restart.

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace promptsales::auth {

/// RSA signing keys by `kid`, as PEM public keys (what the JWT library
/// verifies with). Keys of other types or uses are skipped.
class KeySet {
 public:
  /// Parses a JWKS document. Throws ConfigError naming `source` when it is
  /// not JSON, has no `keys` array, or holds no usable RSA key.
  static KeySet parse(std::string_view jwks_json, std::string_view source);

  /// The PEM of key `kid`, or null.
  const std::string* pem(std::string_view kid) const;
  std::vector<std::string> kids() const;
  std::size_t size() const noexcept { return pems_.size(); }

 private:
  std::map<std::string, std::string, std::less<>> pems_;
};

struct JwksOptions {
  /// A file path, or an https:// URL (Auth0: https://TENANT/.well-known/jwks.json).
  std::string location{};
  /// CA bundle to trust for the URL; empty = the system's.
  std::string ca_file{};
  /// For fetching the URL (connect and transfer).
  std::chrono::milliseconds timeout{1000};
  /// An unknown kid triggers at most one refresh per this interval, so a
  /// flood of tokens with random kids cannot hammer the provider.
  std::chrono::milliseconds min_refresh{10'000};
};

/// Thread-safe. Lookups of known keys take a mutex for a map lookup; a
/// refresh does I/O, so call key() only where blocking is allowed.
class JwksProvider {
 public:
  explicit JwksProvider(JwksOptions options);
  /// Loads the key set now. Throws ConfigError (unreadable file, bad URL,
  /// fetch failure, invalid document): a server must not start without keys.
  void load();
  /// The PEM for `kid`. When unknown, reloads the source once (rate
  /// limited, failures logged and the old keys kept) and looks again.
  std::optional<std::string> key(std::string_view kid);
  /// Keys currently known (for `auth` diagnostics and tests).
  std::vector<std::string> kids() const;
  const JwksOptions& options() const noexcept { return options_; }

 private:
  std::string read_source() const;

  JwksOptions options_;
  mutable std::mutex mutex_;
  std::shared_ptr<const KeySet> keys_;
  std::chrono::steady_clock::time_point last_refresh_{};
};

/// The document at an https:// URL (libcurl, TLS verified against
/// `ca_file` or the system store). Throws Unavailable on failure or a
/// non-200 status; ConfigError for a non-https URL.
std::string fetch_https(const std::string& url, const std::string& ca_file, std::chrono::milliseconds timeout);

}  // namespace promptsales::auth
