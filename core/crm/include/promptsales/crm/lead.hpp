#pragma once
/// Lead value types shared by reading (CSV/JSONL, capture bodies), validation
/// and the store. No I/O here.
///
/// A `LeadInput` is already validated and normalised: the email is trimmed
/// and lower-cased, the phone is E.164, the country is ISO 3166-1 alpha-2 in
/// upper case, dates are ISO-8601 (YYYY-MM-DD). Producers (import reader,
/// capture route, CLI update) build it only through validation, so the store
/// can trust it.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace promptsales::crm {

/// Lead lifecycle.
enum class LeadStatus { new_, contacted, qualified, converted, lost };

std::string_view to_string(LeadStatus s) noexcept;  ///< "new", "contacted", ...
std::optional<LeadStatus> lead_status_from_string(std::string_view s) noexcept;

/// Consents given by the person (GDPR): what they agreed to be contacted by.
struct Consents {
  bool email = false;
  bool sms = false;
  bool phone = false;
  std::optional<std::string> given_at;  ///< ISO-8601 timestamp, when known
};

/// One validated, normalised lead as it enters the system.
struct LeadInput {
  std::int64_t organization_id = 0;
  std::string email;                       ///< required, normalised (trim + lower case)
  std::optional<std::string> name;         ///< full name, trimmed
  std::optional<std::string> phone;        ///< E.164, e.g. "+34600123456"
  std::optional<std::string> source;       ///< "facebook", "web", "referral", ... (lower case)
  std::optional<std::string> country;      ///< ISO 3166-1 alpha-2, upper case
  std::optional<std::string> city;
  std::vector<std::string> interests;      ///< lower case, trimmed, unique, sorted
  std::optional<std::string> birth_date;   ///< YYYY-MM-DD
  std::optional<int> age;                  ///< when only an age was given (0..130)
  Consents consents;
  std::optional<LeadStatus> status;        ///< unset: new (or unchanged on update)
  std::optional<std::int64_t> campaign_id; ///< the campaign that brought the lead
};

/// A stored lead, decrypted.
struct Lead {
  std::int64_t id = 0;
  std::int64_t organization_id = 0;
  std::string email;
  std::optional<std::string> name;
  std::optional<std::string> phone;
  std::optional<std::string> source;
  std::optional<std::string> country;
  std::optional<std::string> city;
  std::vector<std::string> interests;
  std::optional<std::string> birth_date;
  std::optional<int> age;
  Consents consents;
  LeadStatus status = LeadStatus::new_;
  int score = 0;                            ///< 0..100, see scoring
  std::optional<std::int64_t> campaign_id;
  bool forgotten = false;                   ///< personal data erased (GDPR)
  std::string created_at;                   ///< ISO-8601 UTC
  std::string updated_at;
};

/// One rejected input value or record, as the import's error report shows it.
/// `line` is the 1-based physical line where the record starts in the file
/// (0 for whole-file errors such as "not UTF-8" or "too many rows").
struct RowError {
  std::size_t line = 0;
  std::string column;   ///< the source column (header name), empty when not one column
  std::string value;    ///< the offending value, truncated to 200 bytes
  std::string code;     ///< stable machine code: "invalid_email", "bad_quoting", ...
  std::string message;  ///< human sentence naming the problem
};

}  // namespace promptsales::crm
