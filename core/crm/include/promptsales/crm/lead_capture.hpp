#pragma once
/// Lead capture endpoints: a form backend POSTs one lead, signed with the
/// capture's secret, and it is validated like an import row, deduplicated
/// on the email's blind index and attributed to the capture's campaign.
///
/// Signing (README "Lead capture"), Stripe-style:
///   X-PromptSales-Timestamp: <unix seconds>
///   X-PromptSales-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + raw body)>
/// The HMAC key is the secret's text exactly as `lead capture configure`
/// printed it. A request is refused when the signature does not match
/// (compared in constant time), when the timestamp is further than the
/// tolerance from now (either way), or when the same signature was accepted
/// before (replay; remembered in PostgreSQL, so across pods, for twice the
/// tolerance).
///
/// Duplicates: when the organization already has a lead with the email, it
/// is LEFT AS IT IS (200 with its id). Anyone can submit a form with
/// someone else's address, so an unauthenticated submission never
/// overwrites a person's data, consents or attribution.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "promptsales/common/crypto/data_key.hpp"
#include "promptsales/common/errors.hpp"
#include "promptsales/common/tenancy.hpp"
#include "promptsales/crm/lead.hpp"

namespace promptsales::db {
class Pool;
}

namespace promptsales::crm {

class PgLeadStore;

inline constexpr std::string_view kCaptureSecretContext = "lead_captures.secret";
inline constexpr std::string_view kTimestampHeader = "X-PromptSales-Timestamp";
inline constexpr std::string_view kSignatureHeader = "X-PromptSales-Signature";

/// A capture request refused with a specific HTTP status and code
/// ("bad_signature", "stale_timestamp", "replayed", "capture_not_found").
class CaptureRefused : public Error {
 public:
  CaptureRefused(int status, std::string code, const std::string& message)
      : Error(message), status_(status), code_(std::move(code)) {}
  int http_status() const noexcept override { return status_; }
  ExitCode exit_code() const noexcept override {
    return status_ == 404 ? ExitCode::not_found : status_ == 409 ? ExitCode::conflict : ExitCode::usage;
  }
  const char* code() const noexcept override { return code_.c_str(); }

 private:
  int status_;
  std::string code_;
};

/// A capture body that failed validation: every field error, with the
/// import's codes (invalid_email, missing_email, invalid_json, ...).
class LeadRejected : public Error {
 public:
  explicit LeadRejected(std::vector<RowError> errors);
  int http_status() const noexcept override { return 400; }
  ExitCode exit_code() const noexcept override { return ExitCode::usage; }
  const char* code() const noexcept override { return errors_.front().code.c_str(); }
  const std::vector<RowError>& errors() const noexcept { return errors_; }

 private:
  std::vector<RowError> errors_;
};

/// "sha256=" + hex HMAC-SHA256(secret, timestamp + "." + body).
std::string sign_capture(std::string_view secret, std::string_view timestamp, std::string_view body);

/// Checks the two headers against `secret` and `now`. Returns the raw
/// 32-byte signature (the replay key). Throws CaptureRefused 401:
/// missing_signature, bad_timestamp, stale_timestamp, bad_signature.
std::string verify_capture_signature(std::string_view secret, std::optional<std::string_view> timestamp,
                                     std::optional<std::string_view> signature, std::string_view body,
                                     std::chrono::system_clock::time_point now, std::chrono::seconds tolerance);

/// Validates a capture body (one JSON object, the import's field names and
/// rules) into a lead of `organization_id`. `status` and `campaignId` in
/// the body are ignored: a public form decides neither. Source defaults to
/// "capture". Throws LeadRejected.
LeadInput parse_capture_body(std::string_view body, std::int64_t organization_id,
                             const std::string& default_country = {});

/// One capture endpoint (no secret).
struct LeadCapture {
  std::string id;  ///< "cap_" + 24 hex digits
  std::int64_t organization_id = 0;
  std::int64_t campaign_id = 0;
  bool enabled = true;
  std::int64_t leads_created = 0;
  std::int64_t leads_existing = 0;
  std::optional<std::string> last_received_at;  ///< ISO-8601 UTC
  std::string secret_rotated_at;
  std::string created_at;
  std::string updated_at;
};

/// A capture with its secret: returned only by create and rotate_secret,
/// the only time the secret leaves the database in clear.
struct CaptureWithSecret {
  LeadCapture capture;
  std::string secret;  ///< "pscs_" + 64 hex digits; the HMAC key as text
};

struct CaptureReceiveOptions {
  std::chrono::seconds tolerance{300};
  std::string default_country;  ///< for national phone numbers; empty: none
};

/// What a capture did with an accepted lead.
struct CaptureResult {
  std::int64_t lead_id = 0;
  bool created = false;  ///< false: the organization had the email already (lead left unchanged)
  std::int64_t campaign_id = 0;
};

/// Capture endpoints in the CRM database.
class PgLeadCaptures {
 public:
  /// `crm`: a pool on the CRM database; `keys` encrypt (current) and
  /// decrypt (any held) secrets.
  PgLeadCaptures(db::Pool& crm, crypto::Keyring keys);
  ~PgLeadCaptures();

  /// A new enabled endpoint for the campaign. The caller has checked that
  /// the campaign exists and belongs to the organization (ads context).
  CaptureWithSecret create(std::int64_t organization_id, std::int64_t campaign_id);
  /// NotFound when absent or outside `tenancy`.
  LeadCapture get(const std::string& id, Tenancy tenancy);
  /// Newest first; of one organization, or all.
  std::vector<LeadCapture> list(std::optional<std::int64_t> organization_id, Tenancy tenancy);
  /// Refuses further leads (404 to senders). Idempotent.
  LeadCapture set_enabled(const std::string& id, bool enabled, Tenancy tenancy);
  /// A new secret; the old one stops working at once.
  CaptureWithSecret rotate_secret(const std::string& id, Tenancy tenancy);

  /// The endpoint: checks the capture (404 unknown or disabled), the
  /// signature (401), the body (LeadRejected), then, in one transaction,
  /// records the signature (409 replayed) and inserts the lead or finds the
  /// existing one. Purges signatures older than twice the tolerance.
  CaptureResult receive(const std::string& id, std::optional<std::string_view> timestamp,
                        std::optional<std::string_view> signature, std::string_view body,
                        const CaptureReceiveOptions& options,
                        std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

 private:
  db::Pool& crm_;
  crypto::Keyring keys_;
  std::unique_ptr<PgLeadStore> leads_;
};

/// A capture as JSON (camelCase, like the API's other objects); no secret.
nlohmann::json capture_to_json(const LeadCapture& capture);

/// True when `id` has the form of a capture id (cheap check before a query).
bool is_capture_id(std::string_view id) noexcept;

}  // namespace promptsales::crm
