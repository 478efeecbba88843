#include "promptsales/crm/lead_patch.hpp"

#include <nlohmann/json.hpp>

#include "promptsales/common/errors.hpp"
#include "promptsales/common/time.hpp"
#include "promptsales/common/utf8.hpp"
#include "promptsales/crm/lead_validation.hpp"

namespace promptsales::crm {
namespace {

using nlohmann::json;

const std::string& text_of(const json& v, const std::string& field) {
  if (!v.is_string()) throw ValidationError(field, "must be a string");
  return v.get_ref<const std::string&>();
}

bool bool_of(const json& v, const std::string& field) {
  if (!v.is_boolean()) throw ValidationError(field, "must be true or false");
  return v.get<bool>();
}

template <class T>
T checked(FieldResult<T> r, const std::string& field) {
  if (!r) throw ValidationError(field, r.error().message + " (" + r.error().code + ")");
  return std::move(*r);
}

/// Trimmed text of 1..`max` characters (what the import's rules accept).
std::string capped(const json& v, const std::string& field, std::size_t max) {
  std::string_view t = text_of(v, field);
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
  const auto chars = utf8_length(t);
  if (!chars) throw ValidationError(field, "is not valid UTF-8");
  if (*chars == 0) throw ValidationError(field, "must not be empty");
  if (*chars > max) throw ValidationError(field, "is longer than " + std::to_string(max) + " characters");
  return std::string(t);
}

}  // namespace

LeadUpdate parse_lead_patch(std::string_view body, const std::string& default_country) {
  const json doc = json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) throw ValidationError("body", "must be a JSON object");
  LeadUpdate u;
  for (const auto& [key, value] : doc.items()) {
    if (value.is_null()) throw ValidationError(key, "cannot be null (fields cannot be cleared through the API)");
    if (key == "status") {
      u.status = checked(parse_status(text_of(value, key)), key);
    } else if (key == "name") {
      u.name = capped(value, key, kMaxNameChars);
    } else if (key == "phone") {
      u.phone = checked(normalize_phone(text_of(value, key), default_country), key);
    } else if (key == "city") {
      u.city = capped(value, key, kMaxCityChars);
    } else if (key == "interests") {
      if (!value.is_array()) throw ValidationError(key, "must be an array of strings");
      std::vector<std::string_view> items;
      for (const auto& item : value) items.push_back(text_of(item, key));
      u.interests = checked(normalize_interests(items), key);
    } else if (key == "consents") {
      if (!value.is_object()) throw ValidationError(key, "must be an object with email, sms, phone, givenAt");
      for (const auto& [ck, cv] : value.items()) {
        const std::string field = "consents." + ck;
        if (ck == "email") u.consent_email = bool_of(cv, field);
        else if (ck == "sms") u.consent_sms = bool_of(cv, field);
        else if (ck == "phone") u.consent_phone = bool_of(cv, field);
        else if (ck == "givenAt") {
          const auto t = normalize_iso8601(text_of(cv, field));
          if (!t) throw ValidationError(field, "must be an ISO-8601 timestamp like 2024-05-01T10:00:00Z");
          u.consent_given_at = *t;
        } else {
          throw ValidationError(field, "is not a consent (email, sms, phone, givenAt)");
        }
      }
    } else if (key == "email") {
      throw ValidationError(key, "cannot be changed: the email identifies the lead (import or capture a new one)");
    } else {
      throw ValidationError(key, "is not a field that can be changed (status, name, phone, city, interests, consents)");
    }
  }
  if (u.empty()) throw ValidationError("body", "nothing to update: give at least one field");
  return u;
}

}  // namespace promptsales::crm
