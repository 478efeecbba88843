#pragma once
/// The shared tier of the verified-token cache: a principal verified by one
/// pod (RSA signature, users-table grants) is stored in Redis under the
/// SHA-256 of its token, so the other pods skip both for that token.
///
/// Redis is not trusted to vouch for anyone: whoever can write to it could
/// otherwise mint an administrator. Each record carries an HMAC-SHA256 over
/// the token digest and the principal, under a key derived from the data key,
/// which Redis never sees. A record that fails the check, is malformed or
/// has expired is a miss (and counted), never an identity.

#include <atomic>
#include <optional>
#include <string>
#include <string_view>

#include "promptsales/common/auth/authenticator.hpp"

namespace promptsales::cache {
class RedisClient;
}

namespace promptsales::sales {

/// The record format, separate from Redis so it can be tested and fuzzed:
///   "v1|<permission bits>|<exp>|<organization id or ->|<subject>|<hex mac>"
///   mac = HMAC-SHA256(mac_key, "promptsales principal v1" 0x00 digest 0x00 <everything before "|<hex mac>">)
std::string encode_principal_record(std::string_view mac_key, std::string_view token_digest,
                                    const auth::Principal& p);
/// nullopt when the record is malformed or its MAC does not match.
std::optional<auth::Principal> decode_principal_record(std::string_view mac_key, std::string_view token_digest,
                                                       std::string_view record);

/// The key records are signed with: HMAC-SHA256(data key, "promptsales token cache v1").
std::string principal_mac_key(const std::array<std::uint8_t, 32>& data_key);

struct PrincipalStoreStats {
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;
  std::uint64_t rejected = 0;  ///< present but malformed or failing the MAC
  std::uint64_t errors = 0;    ///< Redis unreachable or failing
};

class RedisPrincipalStore final : public auth::PrincipalStore {
 public:
  RedisPrincipalStore(cache::RedisClient& redis, std::string mac_key, std::string key_prefix = "promptsales:auth:token:");

  std::optional<auth::Principal> find(std::string_view token_digest) noexcept override;
  void put(std::string_view token_digest, const auth::Principal& p, std::chrono::seconds ttl) noexcept override;

  PrincipalStoreStats stats() const noexcept;

 private:
  cache::RedisClient& redis_;
  std::string mac_key_;
  std::string key_prefix_;
  std::atomic<std::uint64_t> hits_{0}, misses_{0}, rejected_{0}, errors_{0};
};

}  // namespace promptsales::sales
