#pragma once
// One row of PostgreSQL's COPY text format for the import's staging table.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hex.hpp"
#include "promptsales/crm/lead.hpp"
#include "promptsales/crm/lead_cipher.hpp"

namespace promptsales::crm::detail {

/// The staging table's columns, in the order staging_line writes them.
inline const std::vector<std::string>& staging_columns() {
  static const std::vector<std::string> kColumns = {
      "line", "email_hash", "email_encrypted", "name_encrypted", "phone_encrypted", "source",
      "country", "city", "interests", "birth_date", "age", "consent_email", "consent_sms",
      "consent_phone", "consent_at", "status", "campaign_id"};
  return kColumns;
}

/// The columns of `leads` that leads_line writes (COPY straight into leads).
inline const std::vector<std::string>& leads_columns() {
  static const std::vector<std::string> kColumns = {
      "organization_id", "email_hash", "email_encrypted", "name_encrypted", "phone_encrypted", "source",
      "country", "city", "interests", "birth_date", "age", "consent_email", "consent_sms",
      "consent_phone", "consent_at", "status", "campaign_id", "key_id"};
  return kColumns;
}

/// COPY text escaping: backslash, and the separators tab, newline, CR.
inline void append_text(std::string& out, std::string_view s) {
  for (char c : s) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      default: out.push_back(c);
    }
  }
}

inline void append_field(std::string& out, const std::optional<std::string>& v) {
  if (v) {
    append_text(out, *v);
  } else {
    out += "\\N";
  }
}

inline void append_bytea(std::string& out, const std::optional<std::string>& raw) {
  if (!raw) {
    out += "\\N";
    return;
  }
  out += "\\\\x";  // COPY unescapes to \x, bytea's hex input form
  append_hex(out, *raw);
}

/// A text[] literal: {"a","b"} with " and \ escaped inside elements.
inline std::string array_literal(const std::vector<std::string>& items) {
  std::string a = "{";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) a.push_back(',');
    a.push_back('"');
    for (char c : items[i]) {
      if (c == '"' || c == '\\') a.push_back('\\');
      a.push_back(c);
    }
    a.push_back('"');
  }
  a.push_back('}');
  return a;
}

/// The columns both line shapes share, email_hash .. consent_at, built once
/// per row on the encryption threads (the expensive part: hex of the
/// encrypted values).
inline std::string copy_body(const LeadInput& lead, const EncryptedLead& enc) {
  std::string out;
  out.reserve(80 + 2 * (enc.email_hash.size() + enc.email.size() + enc.name.value_or("").size() +
                        enc.phone.value_or("").size()));
  auto tab = [&] { out.push_back('\t'); };
  append_bytea(out, enc.email_hash);
  tab(); append_bytea(out, enc.email);
  tab(); append_bytea(out, enc.name);
  tab(); append_bytea(out, enc.phone);
  tab(); append_field(out, lead.source);
  tab(); append_field(out, lead.country);
  tab(); append_field(out, lead.city);
  tab(); append_text(out, array_literal(lead.interests));
  tab(); append_field(out, lead.birth_date);
  tab(); append_field(out, lead.age ? std::optional<std::string>(std::to_string(*lead.age)) : std::nullopt);
  tab(); out += lead.consents.email ? "t" : "f";
  tab(); out += lead.consents.sms ? "t" : "f";
  tab(); out += lead.consents.phone ? "t" : "f";
  tab(); append_field(out, lead.consents.given_at);
  return out;
}

inline void append_tail(std::string& out, const LeadInput& lead, std::string_view absent_status) {
  out.push_back('\t');
  if (lead.status) {
    out += to_string(*lead.status);
  } else {
    out += absent_status;
  }
  out.push_back('\t');
  append_field(out, lead.campaign_id ? std::optional<std::string>(std::to_string(*lead.campaign_id)) : std::nullopt);
}

/// Appends a staging row (staging_columns), without its newline: a status
/// the input did not give stays NULL, which the update mode reads as "keep
/// the stored one".
inline void append_staging_line(std::string& out, std::size_t line, const LeadInput& lead, const std::string& body) {
  out += std::to_string(line);
  out.push_back('\t');
  out += body;
  append_tail(out, lead, "\\N");
}

/// Appends a new lead's row (leads_columns), without its newline. COPY
/// applies no column defaults to listed columns, so an absent status is
/// written as the default, 'new'.
inline void append_leads_line(std::string& out, std::int64_t organization_id, const LeadInput& lead,
                              const std::string& body, std::string_view key_id) {
  out += std::to_string(organization_id);
  out.push_back('\t');
  out += body;
  append_tail(out, lead, "new");
  out.push_back('\t');
  out += key_id;
}

}  // namespace promptsales::crm::detail
