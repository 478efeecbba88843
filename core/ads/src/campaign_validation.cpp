#include "promptsales/ads/campaign_validation.hpp"

#include <algorithm>

#include "promptsales/common/errors.hpp"
#include "promptsales/common/time.hpp"

namespace promptsales::ads::validate {
namespace {

bool has_control_chars(std::string_view s, bool allow_newlines) {
  return std::any_of(s.begin(), s.end(), [&](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    if (allow_newlines && (c == '\n' || c == '\t')) return false;
    return c < 0x20 || c == 0x7F;
  });
}

std::string trimmed(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

std::string text(std::string_view field, std::string_view value, std::size_t max_chars, bool required,
                 bool allow_newlines) {
  std::string v = trimmed(value);
  const auto len = utf8_length(v);
  if (!len) throw ValidationError(std::string(field), "is not valid UTF-8");
  if (required && *len == 0) throw ValidationError(std::string(field), "is required");
  if (*len > max_chars) {
    throw ValidationError(std::string(field), "has " + std::to_string(*len) + " characters; at most " +
                                                  std::to_string(max_chars) + " are allowed");
  }
  if (has_control_chars(v, allow_newlines)) throw ValidationError(std::string(field), "contains control characters");
  return v;
}

}  // namespace


std::int64_t organization_id(std::int64_t id) {
  if (id <= 0) throw ValidationError("organizationId", "must be a positive integer");
  return id;
}

std::string name(std::string_view value) { return text("name", value, kMaxNameChars, true, false); }

std::string description(std::string_view value) {
  return text("description", value, kMaxDescriptionChars, false, true);
}

std::string budget(std::string_view value) {
  std::string v = trimmed(value);
  const auto dot = v.find('.');
  const std::string whole = v.substr(0, dot);
  const std::string frac = dot == std::string::npos ? "" : v.substr(dot + 1);
  const auto all_digits = [](const std::string& s) {
    return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
  };
  if (whole.empty() || !all_digits(whole) || !all_digits(frac) || (dot != std::string::npos && frac.empty())) {
    throw ValidationError("budget", "'" + v + "' is not a non-negative amount like 1500 or 1500.50");
  }
  if (frac.size() > 2) throw ValidationError("budget", "has more than two decimal places");
  const auto nonzero = whole.find_first_not_of('0');
  const std::string digits = nonzero == std::string::npos ? "0" : whole.substr(nonzero);
  if (digits.size() > 12) throw ValidationError("budget", "must be below 1,000,000,000,000");
  return digits + "." + (frac + "00").substr(0, 2);
}

std::string currency(std::string_view value) {
  std::string v = trimmed(value);
  std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  if (v.size() != 3 || !std::all_of(v.begin(), v.end(), [](unsigned char c) { return c >= 'A' && c <= 'Z'; })) {
    throw ValidationError("currency", "'" + std::string(value) + "' is not an ISO 4217 code like USD or EUR");
  }
  return v;
}

std::vector<std::string> channels(const std::vector<std::string>& values) {
  std::vector<std::string> out;
  for (const auto& raw : values) {
    std::string c = trimmed(raw);
    std::transform(c.begin(), c.end(), c.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    const auto& known = known_channels();
    if (std::find(known.begin(), known.end(), c) == known.end()) {
      std::string list;
      for (auto k : known) list += (list.empty() ? "" : ", ") + std::string(k);
      throw ValidationError("channels", "'" + raw + "' is not a known channel (" + list + ")");
    }
    if (std::find(out.begin(), out.end(), c) != out.end()) {
      throw ValidationError("channels", "'" + c + "' is listed twice");
    }
    out.push_back(std::move(c));
  }
  if (out.size() > kMaxChannels) throw ValidationError("channels", "at most 10 channels are allowed");
  return out;
}

std::string timestamp(std::string_view field, std::string_view value) {
  auto normalized = normalize_iso8601(trimmed(value));
  if (!normalized) {
    throw ValidationError(std::string(field), "'" + std::string(value) +
                                                  "' is not an ISO-8601 date or time like 2026-03-01T09:00:00Z");
  }
  return *normalized;
}

void schedule(const std::optional<std::string>& starts_at, const std::optional<std::string>& ends_at) {
  if (starts_at && ends_at && *ends_at <= *starts_at) {
    throw ValidationError("endsAt", "must be after startsAt (" + *starts_at + ")");
  }
}

CampaignStatus status(std::string_view value) {
  if (auto s = status_from_string(trimmed(value))) return *s;
  throw ValidationError("status", "'" + std::string(value) + "' is not one of draft, scheduled, active, paused, ended");
}

void filter(const CampaignFilter& f) {
  if (f.organization_id) organization_id(*f.organization_id);
  if (f.limit < 1 || f.limit > kMaxPageSize) throw ValidationError("limit", "must be between 1 and 100");
  if (f.offset < 0 || f.offset > kMaxOffset) throw ValidationError("offset", "must be between 0 and 1000000");
  if (f.search) {
    const auto len = utf8_length(*f.search);
    if (!len) throw ValidationError("search", "is not valid UTF-8");
    if (*len > kMaxDescriptionChars) throw ValidationError("search", "is longer than 200 characters");
  }
}

}  // namespace promptsales::ads::validate
