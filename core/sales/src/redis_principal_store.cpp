#include "promptsales/sales/redis_principal_store.hpp"

#include <charconv>
#include <ctime>

#include "promptsales/common/cache/redis_client.hpp"
#include "promptsales/common/crypto/column_cipher.hpp"
#include "promptsales/common/hash.hpp"

namespace promptsales::sales {
namespace {

constexpr std::string_view kVersion = "v1";
constexpr std::string_view kMacDomain = "promptsales principal v1";
constexpr std::size_t kMacHexChars = 64;

std::string mac_hex(std::string_view mac_key, std::string_view token_digest, std::string_view payload) {
  std::string message;
  message.reserve(kMacDomain.size() + token_digest.size() + payload.size() + 2);
  message.append(kMacDomain).push_back('\0');
  message.append(token_digest).push_back('\0');
  message.append(payload);
  return hex_encode(crypto::hmac_sha256(mac_key, message));
}

/// Compares without an early exit, so timing says nothing about where a
/// forged MAC first differs.
bool same_mac(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

template <class T>
std::optional<T> number(std::string_view text) {
  T value{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

/// Splits off the text before the next '|'; false when there is none.
bool take_field(std::string_view& rest, std::string_view& field) {
  const auto bar = rest.find('|');
  if (bar == std::string_view::npos) return false;
  field = rest.substr(0, bar);
  rest.remove_prefix(bar + 1);
  return true;
}

}  // namespace

std::string principal_mac_key(const std::array<std::uint8_t, 32>& data_key) {
  const std::string_view key(reinterpret_cast<const char*>(data_key.data()), data_key.size());
  return crypto::hmac_sha256(key, "promptsales token cache v1");
}

std::string encode_principal_record(std::string_view mac_key, std::string_view token_digest,
                                    const auth::Principal& p) {
  std::string payload(kVersion);
  payload += '|';
  payload += std::to_string(p.permissions.bits());
  payload += '|';
  payload += std::to_string(p.expires_at);
  payload += '|';
  payload += p.organization_id ? std::to_string(*p.organization_id) : std::string("-");
  payload += '|';
  payload += p.subject;  // last: Auth0 subjects contain '|'
  std::string record = payload;
  record += '|';
  record += mac_hex(mac_key, token_digest, payload);
  return record;
}

std::optional<auth::Principal> decode_principal_record(std::string_view mac_key, std::string_view token_digest,
                                                       std::string_view record) {
  const auto last_bar = record.rfind('|');
  if (last_bar == std::string_view::npos || record.size() - last_bar - 1 != kMacHexChars) return std::nullopt;
  const auto payload = record.substr(0, last_bar);
  // Authenticate before interpreting anything.
  if (!same_mac(record.substr(last_bar + 1), mac_hex(mac_key, token_digest, payload))) return std::nullopt;

  std::string_view rest = payload, version, bits, exp, org;
  if (!take_field(rest, version) || !take_field(rest, bits) || !take_field(rest, exp) || !take_field(rest, org))
    return std::nullopt;
  if (version != kVersion || rest.empty()) return std::nullopt;
  const auto bit_value = number<std::uint32_t>(bits);
  const auto exp_value = number<std::int64_t>(exp);
  if (!bit_value || !exp_value) return std::nullopt;
  auth::Principal p;
  p.subject = std::string(rest);
  p.permissions = auth::PermissionSet::from_bits(*bit_value);
  p.expires_at = *exp_value;
  if (org != "-") {
    const auto org_value = number<std::int64_t>(org);
    if (!org_value || *org_value <= 0) return std::nullopt;
    p.organization_id = *org_value;
  }
  return p;
}

RedisPrincipalStore::RedisPrincipalStore(cache::RedisClient& redis, std::string mac_key, std::string key_prefix)
    : redis_(redis), mac_key_(std::move(mac_key)), key_prefix_(std::move(key_prefix)) {}

std::optional<auth::Principal> RedisPrincipalStore::find(std::string_view token_digest) noexcept {
  try {
    const auto reply = redis_.get(key_prefix_ + std::string(token_digest));
    if (!reply) {
      errors_.fetch_add(1, std::memory_order_relaxed);
      return std::nullopt;
    }
    if (!*reply) {
      misses_.fetch_add(1, std::memory_order_relaxed);
      return std::nullopt;
    }
    auto p = decode_principal_record(mac_key_, token_digest, **reply);
    if (!p || p->expires_at <= static_cast<std::int64_t>(std::time(nullptr))) {
      rejected_.fetch_add(1, std::memory_order_relaxed);
      return std::nullopt;
    }
    hits_.fetch_add(1, std::memory_order_relaxed);
    return p;
  } catch (...) {
    errors_.fetch_add(1, std::memory_order_relaxed);
    return std::nullopt;
  }
}

void RedisPrincipalStore::put(std::string_view token_digest, const auth::Principal& p,
                              std::chrono::seconds ttl) noexcept {
  try {
    const auto done =
        redis_.set_ex(key_prefix_ + std::string(token_digest), encode_principal_record(mac_key_, token_digest, p), ttl);
    if (!done) errors_.fetch_add(1, std::memory_order_relaxed);
  } catch (...) {
    errors_.fetch_add(1, std::memory_order_relaxed);
  }
}

PrincipalStoreStats RedisPrincipalStore::stats() const noexcept {
  return {hits_.load(std::memory_order_relaxed), misses_.load(std::memory_order_relaxed),
          rejected_.load(std::memory_order_relaxed), errors_.load(std::memory_order_relaxed)};
}

}  // namespace promptsales::sales
