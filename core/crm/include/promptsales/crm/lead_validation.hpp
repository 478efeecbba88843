#pragma once
/// Field rules for leads, shared by the file import, the capture endpoint
/// and CLI updates. Each rule returns the normalised value or a FieldError
/// with a stable code; validate_lead applies them all to one raw record.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "promptsales/crm/column_mapping.hpp"
#include "promptsales/crm/lead.hpp"
#include "promptsales/crm/lead_source.hpp"

namespace promptsales::crm {

/// Why one value was refused: code (e.g. invalid_email) and a sentence.
struct FieldError {
  std::string code;
  std::string message;
};
template <class T>
using FieldResult = tl::expected<T, FieldError>;

/// Length caps (Unicode characters).
inline constexpr std::size_t kMaxNameChars = 200;
inline constexpr std::size_t kMaxCityChars = 120;
inline constexpr std::size_t kMaxSourceChars = 60;
inline constexpr std::size_t kMaxInterests = 50;
inline constexpr std::size_t kMaxInterestChars = 60;

/// local@domain, a dot in the domain, at most 254 bytes (local part 64), no
/// spaces or quoted local parts, ASCII only; trimmed and lower-cased.
FieldResult<std::string> normalize_email(std::string_view value);
/// E.164 ("+34600123456"). Spaces, dashes, dots, slashes and parentheses
/// are dropped; "+" or "00" starts an international number, anything else
/// is national to `default_country` (ISO alpha-2; empty: none, so national
/// numbers are refused). 8..15 digits in all.
FieldResult<std::string> normalize_phone(std::string_view value, std::string_view default_country);
/// ISO 3166-1 alpha-2 (any case; "UK" means GB) or a common country name in
/// English or Spanish ("España", "United States") -> the upper-case code.
FieldResult<std::string> normalize_country(std::string_view value);
/// YYYY-MM-DD, a real calendar date, 1900-01-01..`today` (YYYY-MM-DD).
FieldResult<std::string> normalize_birth_date(std::string_view value, std::string_view today);
/// Whole years 0..130.
FieldResult<int> parse_age(std::string_view value);
/// new/contacted/qualified/converted/lost, or nuevo/contactado/cualificado
/// (calificado)/convertido/perdido; any case.
FieldResult<LeadStatus> parse_status(std::string_view value);
/// true/false, yes/no, sí/si/no, y/n, 1/0, x (ticked); any case.
FieldResult<bool> parse_consent(std::string_view value);
/// A positive integer.
FieldResult<std::int64_t> parse_campaign_id(std::string_view value);
/// Splits a cell on ';', '|' or ',' (interests/tags columns).
std::vector<std::string_view> split_interests(std::string_view value);
/// Trimmed, lower case, unique, sorted; at most 50 items of 60 characters.
FieldResult<std::vector<std::string>> normalize_interests(const std::vector<std::string_view>& items);

/// Every ISO 3166-1 alpha-2 code (249), upper case.
bool is_country_code(std::string_view alpha2) noexcept;
/// The international calling code of a country ("ES" -> 34), when known.
std::optional<int> country_calling_code(std::string_view alpha2) noexcept;
/// Today's date in UTC, YYYY-MM-DD.
std::string today_utc();

/// One source value for a lead field: the column (header or key) it came
/// from and its text. Views: the caller keeps the bytes alive.
struct RawField {
  std::string_view column;
  std::string_view value;
  bool present = false;
};

/// A record's values by field, before validation.
struct RawLead {
  std::array<RawField, kLeadFieldCount> fields{};
  /// Interests given as a list (a JSON array) rather than one cell.
  std::optional<std::vector<std::string_view>> interest_list;

  void set(LeadField f, std::string_view column, std::string_view value) {
    fields[static_cast<std::size_t>(f)] = RawField{column, value, true};
  }
  const RawField& get(LeadField f) const { return fields[static_cast<std::size_t>(f)]; }
};

struct ValidationOptions {
  std::string default_country;  ///< ISO alpha-2 for national phone numbers; empty: none
  std::string today;            ///< YYYY-MM-DD, the latest acceptable birth date; empty: today (UTC)
};

/// Validates and normalises one record into `out.lead`, or fills
/// `out.errors` with every problem found (then no lead). Sets out.line.
/// Empty values count as absent; a missing email is missing_email.
void validate_lead(const RawLead& raw, std::int64_t organization_id, const ValidationOptions& options,
                   std::size_t line, ReadRecord& out);

}  // namespace promptsales::crm
