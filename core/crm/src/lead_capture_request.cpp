// The stateless half of lead capture: signatures, timestamps and the body.
#include <openssl/crypto.h>

#include <algorithm>
#include <charconv>

#include "hex.hpp"
#include "promptsales/common/crypto/column_cipher.hpp"
#include "promptsales/crm/lead_capture.hpp"
#include "promptsales/crm/lead_readers.hpp"

namespace promptsales::crm {
namespace {

constexpr std::string_view kSchemePrefix = "sha256=";

[[noreturn]] void refuse(std::string code, const std::string& message) {
  throw CaptureRefused(401, std::move(code), message);
}

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

LeadRejected::LeadRejected(std::vector<RowError> errors)
    : Error(errors.empty() ? "the lead was refused" : errors.front().message), errors_(std::move(errors)) {
  if (errors_.empty()) errors_.push_back(RowError{0, "", "", "invalid_lead", "the lead was refused"});
}

std::string sign_capture(std::string_view secret, std::string_view timestamp, std::string_view body) {
  std::string message;
  message.reserve(timestamp.size() + 1 + body.size());
  message.append(timestamp).append(".").append(body);
  return std::string(kSchemePrefix) + detail::to_hex(crypto::hmac_sha256(secret, message));
}

std::string verify_capture_signature(std::string_view secret, std::optional<std::string_view> timestamp,
                                     std::optional<std::string_view> signature, std::string_view body,
                                     std::chrono::system_clock::time_point now, std::chrono::seconds tolerance) {
  if (!timestamp || trimmed(*timestamp).empty()) {
    refuse("missing_signature", std::string(kTimestampHeader) + " header is missing (unix seconds)");
  }
  if (!signature || trimmed(*signature).empty()) {
    refuse("missing_signature", std::string(kSignatureHeader) + " header is missing (sha256=<hex HMAC>)");
  }
  const auto ts = trimmed(*timestamp);
  std::int64_t seconds = 0;
  const auto [end, ec] = std::from_chars(ts.data(), ts.data() + ts.size(), seconds);
  if (ec != std::errc() || end != ts.data() + ts.size() || seconds <= 0) {
    refuse("bad_timestamp", std::string(kTimestampHeader) + " must be unix seconds (a positive integer)");
  }
  const auto now_s = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  const auto skew = now_s > seconds ? now_s - seconds : seconds - now_s;
  if (skew > tolerance.count()) {
    refuse("stale_timestamp", std::string(kTimestampHeader) + " is " + std::to_string(skew) +
                                  " s from the server's clock; at most " + std::to_string(tolerance.count()) +
                                  " s is accepted (sign each request when it is sent)");
  }
  auto sig = trimmed(*signature);
  if (sig.substr(0, kSchemePrefix.size()) != kSchemePrefix) {
    refuse("bad_signature", std::string(kSignatureHeader) + " must be sha256=<64 hex digits>");
  }
  sig.remove_prefix(kSchemePrefix.size());
  const std::string given = sig.size() == 64 ? detail::from_hex(sig) : std::string();
  if (given.size() != 32) refuse("bad_signature", std::string(kSignatureHeader) + " must be sha256=<64 hex digits>");
  std::string message;
  message.reserve(ts.size() + 1 + body.size());
  message.append(ts).append(".").append(body);
  const std::string expected = crypto::hmac_sha256(secret, message);
  // Constant time: the comparison must not reveal how many bytes matched.
  if (CRYPTO_memcmp(expected.data(), given.data(), 32) != 0) {
    refuse("bad_signature", "the signature does not match the body and timestamp under this capture's secret");
  }
  return given;
}

LeadInput parse_capture_body(std::string_view body, std::int64_t organization_id, const std::string& default_country) {
  // The import's JSONL reader validates exactly like `lead import`. JSON
  // allows no raw line breaks inside strings, so a pretty-printed object
  // becomes one line by turning them into spaces.
  std::string line(body);
  std::replace_if(line.begin(), line.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
  if (line.find_first_not_of(" \t") == std::string::npos) {
    throw LeadRejected({RowError{1, "", "", "empty_body", "the body is empty: send one lead as a JSON object"}});
  }
  LeadReadOptions options;
  options.organization_id = organization_id;
  options.default_country = default_country;
  options.max_rows = 1;
  JsonlLeadSource source(memory_input(std::move(line)), options);
  ReadRecord record;
  try {
    if (!source.next(record)) {
      throw LeadRejected({RowError{1, "", "", "empty_body", "the body is empty: send one lead as a JSON object"}});
    }
  } catch (const ImportFileError& e) {
    throw LeadRejected({e.error()});
  }
  if (!record.lead) throw LeadRejected(std::move(record.errors));
  LeadInput lead = std::move(*record.lead);
  lead.status.reset();
  lead.campaign_id.reset();
  if (!lead.source) lead.source = "capture";
  return lead;
}

bool is_capture_id(std::string_view id) noexcept {
  if (id.size() != 28 || id.substr(0, 4) != "cap_") return false;
  return std::all_of(id.begin() + 4, id.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

nlohmann::json capture_to_json(const LeadCapture& c) {
  return {{"id", c.id},
          {"organizationId", c.organization_id},
          {"campaignId", c.campaign_id},
          {"enabled", c.enabled},
          {"endpoint", "/api/v1/leads/capture/" + c.id},
          {"leadsCreated", c.leads_created},
          {"leadsExisting", c.leads_existing},
          {"lastReceivedAt", c.last_received_at ? nlohmann::json(*c.last_received_at) : nlohmann::json(nullptr)},
          {"secretRotatedAt", c.secret_rotated_at},
          {"createdAt", c.created_at},
          {"updatedAt", c.updated_at}};
}

}  // namespace promptsales::crm
