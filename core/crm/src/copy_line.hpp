#pragma once
// One row of the import's COPYs (straight into leads, or into the staging
// table of the ON CONFLICT path), in COPY's binary format.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "promptsales/common/db/binary_copy.hpp"
#include "promptsales/common/errors.hpp"
#include "promptsales/common/time.hpp"
#include "promptsales/crm/lead.hpp"
#include "promptsales/crm/lead_cipher.hpp"

namespace promptsales::crm::detail {

/// The staging table's columns, in the order append_staging_row writes them.
inline const std::vector<std::string>& staging_columns() {
  static const std::vector<std::string> kColumns = {
      "line", "email_hash", "email_encrypted", "name_encrypted", "phone_encrypted", "source",
      "country", "city", "interests", "birth_date", "age", "consent_email", "consent_sms",
      "consent_phone", "consent_at", "status", "campaign_id"};
  return kColumns;
}

/// The columns of `leads` that append_leads_row writes.
inline const std::vector<std::string>& leads_columns() {
  static const std::vector<std::string> kColumns = {
      "organization_id", "email_hash", "email_encrypted", "name_encrypted", "phone_encrypted", "source",
      "country", "city", "interests", "birth_date", "age", "consent_email", "consent_sms",
      "consent_phone", "consent_at", "status", "campaign_id", "key_id"};
  return kColumns;
}

/// How many values copy_body holds (email_hash .. consent_at).
constexpr std::int16_t kBodyFields = 13;

inline void append_optional_bytes(std::string& out, const std::optional<std::string>& v) {
  if (v) {
    db::copy_binary::append_bytes(out, *v);
  } else {
    db::copy_binary::append_null(out);
  }
}

/// consent_at in microseconds since the epoch. Validation normalises it to
/// "YYYY-MM-DDTHH:MM:SS.mmmZ"; any other ISO-8601 form is normalised here.
inline std::int64_t unix_micros_of(const std::string& given_at) {
  const bool normalized = given_at.size() == 24 && given_at[19] == '.' && given_at[23] == 'Z';
  const std::optional<std::string> iso = normalized ? std::optional<std::string>(given_at) : normalize_iso8601(given_at);
  if (!iso) throw ValidationError("consent_given_at", "not an ISO-8601 timestamp: " + given_at);
  const std::string& t = *iso;
  const std::int64_t millis = (t[20] - '0') * 100 + (t[21] - '0') * 10 + (t[22] - '0');
  return iso8601_to_unix(t) * 1000000LL + millis * 1000LL;
}

/// The values both row shapes share, email_hash .. consent_at, built once
/// per row on the encryption threads.
inline std::string copy_body(const LeadInput& lead, const EncryptedLead& enc) {
  namespace cb = db::copy_binary;
  std::string out;
  out.reserve(160 + enc.email_hash.size() + enc.email.size() + enc.name.value_or("").size() +
              enc.phone.value_or("").size());
  cb::append_bytes(out, enc.email_hash);
  cb::append_bytes(out, enc.email);
  append_optional_bytes(out, enc.name);
  append_optional_bytes(out, enc.phone);
  append_optional_bytes(out, lead.source);
  append_optional_bytes(out, lead.country);
  append_optional_bytes(out, lead.city);
  cb::append_text_array(out, lead.interests);
  if (lead.birth_date) {
    const auto& d = *lead.birth_date;  // validation gives YYYY-MM-DD; other sources may not
    const bool shaped = d.size() == 10 && d[4] == '-' && d[7] == '-' &&
                        std::all_of(d.begin(), d.end(), [](char c) { return c == '-' || (c >= '0' && c <= '9'); });
    if (!shaped) throw ValidationError("birth_date", "not a date in the form YYYY-MM-DD: " + d);
    cb::append_date(out, d);
  } else {
    cb::append_null(out);
  }
  if (lead.age) {
    cb::append_int2(out, static_cast<std::int16_t>(*lead.age));
  } else {
    cb::append_null(out);
  }
  cb::append_bool(out, lead.consents.email);
  cb::append_bool(out, lead.consents.sms);
  cb::append_bool(out, lead.consents.phone);
  if (lead.consents.given_at) {
    cb::append_timestamptz(out, unix_micros_of(*lead.consents.given_at));
  } else {
    cb::append_null(out);
  }
  return out;
}

/// status (or `absent_status`, NULL if none) and campaign_id.
inline void append_tail(std::string& out, const LeadInput& lead, std::optional<std::string_view> absent_status) {
  namespace cb = db::copy_binary;
  if (lead.status) {
    cb::append_bytes(out, to_string(*lead.status));
  } else if (absent_status) {
    cb::append_bytes(out, *absent_status);
  } else {
    cb::append_null(out);
  }
  if (lead.campaign_id) {
    cb::append_int8(out, *lead.campaign_id);
  } else {
    cb::append_null(out);
  }
}

/// Appends a staging row (staging_columns): a status the input did not
/// give stays NULL, which the update mode reads as "keep the stored one".
inline void append_staging_row(std::string& out, std::size_t line, const LeadInput& lead, const std::string& body) {
  db::copy_binary::begin_row(out, kBodyFields + 4);
  db::copy_binary::append_int8(out, static_cast<std::int64_t>(line));
  out += body;
  append_tail(out, lead, std::nullopt);
}

/// Appends a new lead's row (leads_columns). COPY applies no column
/// defaults to listed columns, so an absent status is written as the
/// default, 'new'.
inline void append_leads_row(std::string& out, std::int64_t organization_id, const LeadInput& lead,
                             const std::string& body, std::string_view key_id) {
  db::copy_binary::begin_row(out, kBodyFields + 5);
  db::copy_binary::append_int8(out, organization_id);
  out += body;
  append_tail(out, lead, "new");
  db::copy_binary::append_bytes(out, key_id);
}

}  // namespace promptsales::crm::detail
