#include "promptsales/crm/lead_validation.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <ctime>

#include "country_table.hpp"
#include "promptsales/common/time.hpp"
#include "promptsales/common/utf8.hpp"
#include "text_util.hpp"

namespace promptsales::crm {

namespace {

using detail::trim_blanks;

tl::unexpected<FieldError> fail(std::string code, std::string message) {
  return tl::unexpected(FieldError{std::move(code), std::move(message)});
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower(c);
  return out;
}

bool all_digits(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), is_digit); }

bool valid_local_char(char c) {
  if (is_alpha(c) || is_digit(c)) return true;
  static constexpr std::string_view kAllowed = "!#$%&'*+/=?^_`{|}~.-";
  return kAllowed.find(c) != std::string_view::npos;
}

bool valid_domain(std::string_view d) {
  if (d.empty() || d.size() > 253 || d.find('.') == std::string_view::npos) return false;
  std::size_t start = 0;
  std::string_view last;
  while (start <= d.size()) {
    const std::size_t dot = d.find('.', start);
    const std::string_view label = d.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
    for (char c : label)
      if (!is_alpha(c) && !is_digit(c) && c != '-') return false;
    last = label;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  // The top-level domain: letters (or an IDN "xn--" label), two or more.
  return last.size() >= 2 && (std::all_of(last.begin(), last.end(), is_alpha) || last.substr(0, 4) == "xn--");
}

std::optional<std::size_t> chars(std::string_view s) { return promptsales::utf8_length(s); }

FieldResult<std::string> capped_text(std::string_view value, std::size_t max_chars, const char* what, bool lower_case) {
  const auto n = chars(value);
  if (!n) return fail("invalid_text", std::string(what) + " is not valid text (NUL byte)");
  if (*n > max_chars) {
    return fail("field_too_long", std::string(what) + " is " + std::to_string(*n) + " characters long; the limit is " +
                                      std::to_string(max_chars));
  }
  return lower_case ? ascii_lower(value) : std::string(value);
}

}  // namespace

FieldResult<std::string> normalize_email(std::string_view value) {
  const std::string_view v = trim_blanks(value);
  if (v.empty()) return fail("missing_email", "the email is empty");
  if (v.size() > 254) return fail("invalid_email", "the email is longer than 254 characters");
  const std::size_t at = v.rfind('@');
  if (at == std::string_view::npos) return fail("invalid_email", "the email has no @");
  const std::string_view local = v.substr(0, at);
  const std::string_view domain = v.substr(at + 1);
  if (local.empty() || local.size() > 64) return fail("invalid_email", "the part before @ must be 1 to 64 characters");
  for (char c : local) {
    if (!valid_local_char(c)) {
      return fail("invalid_email", c == '@'   ? "the email has more than one @"
                                   : c == ' ' ? "the email contains a space"
                                              : "the part before @ has a character an address cannot hold");
    }
  }
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) {
    return fail("invalid_email", "the part before @ cannot start or end with a dot or hold two dots in a row");
  }
  if (!valid_domain(domain)) {
    return fail("invalid_email", "the domain after @ is not a valid domain name (like example.com)");
  }
  return ascii_lower(v);
}

FieldResult<std::string> normalize_phone(std::string_view value, std::string_view default_country) {
  const std::string_view v = trim_blanks(value);
  std::string digits;
  digits.reserve(v.size());
  bool plus = false;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const char c = v[i];
    if (is_digit(c)) {
      digits += c;
    } else if (c == '+' && digits.empty() && !plus) {
      plus = true;
    } else if (c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/' || c == '\t') {
      continue;
    } else {
      return fail("invalid_phone", "the phone number holds characters other than digits, spaces, dashes, dots, "
                                   "parentheses and a leading +");
    }
  }
  if (digits.empty()) return fail("invalid_phone", "the phone number has no digits");
  std::string international;
  if (plus) {
    international = digits;
  } else if (digits.size() > 2 && digits.compare(0, 2, "00") == 0) {
    international = digits.substr(2);
  } else {
    const CallingCode* cc = detail::find_calling_code(default_country);
    if (cc == nullptr) {
      return fail("invalid_phone", "the phone number has no country code: write it as +<country code><number>"
                                   " or import with a default country");
    }
    std::string national = digits;
    if (cc->code == 1 && national.size() == 11 && national.front() == '1') national.erase(0, 1);
    if (cc->trunk0 && national.size() > 1 && national.front() == '0') national.erase(0, 1);
    international = std::to_string(cc->code) + national;
  }
  if (international.empty() || international.front() == '0') {
    return fail("invalid_phone", "the country code of the phone number cannot start with 0");
  }
  if (international.size() < 8 || international.size() > 15) {
    return fail("invalid_phone", "the phone number must have 8 to 15 digits with its country code (it has " +
                                     std::to_string(international.size()) + ")");
  }
  return "+" + international;
}

FieldResult<std::string> normalize_country(std::string_view value) {
  const std::string_view v = trim_blanks(value);
  if (v.size() == 2) {
    std::string code{static_cast<char>(std::toupper(static_cast<unsigned char>(v[0]))),
                     static_cast<char>(std::toupper(static_cast<unsigned char>(v[1])))};
    if (code == "UK") code = "GB";
    if (is_country_code(code)) return code;
  }
  if (const auto code = detail::country_code_for_name(header_key(v))) return std::string(*code);
  return fail("invalid_country", "not an ISO 3166-1 alpha-2 country code (like ES, MX, US) or a known country name");
}

FieldResult<std::string> normalize_birth_date(std::string_view value, std::string_view today) {
  const std::string_view v = trim_blanks(value);
  auto bad = [] { return fail("invalid_date", "not a date in the form YYYY-MM-DD (ISO-8601)"); };
  if (v.size() != 10 || v[4] != '-' || v[7] != '-') return bad();
  if (!all_digits(v.substr(0, 4)) || !all_digits(v.substr(5, 2)) || !all_digits(v.substr(8, 2))) return bad();
  const int y = std::stoi(std::string(v.substr(0, 4)));
  const int m = std::stoi(std::string(v.substr(5, 2)));
  const int d = std::stoi(std::string(v.substr(8, 2)));
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (m < 1 || m > 12 || d < 1 || d > kDays[m - 1] + (m == 2 && leap ? 1 : 0)) {
    return fail("invalid_date", "not a calendar date (month 01-12, a day the month has)");
  }
  if (y < 1900) return fail("invalid_date", "the date is before 1900");
  const std::string t = today.empty() ? today_utc() : std::string(today);
  if (v > std::string_view(t)) return fail("invalid_date", "the date is in the future");
  return std::string(v);
}

FieldResult<int> parse_age(std::string_view value) {
  const std::string_view v = trim_blanks(value);
  if (!all_digits(v) || v.size() > 3) return fail("invalid_age", "the age must be a whole number from 0 to 130");
  const int age = std::stoi(std::string(v));
  if (age > 130) return fail("invalid_age", "the age must be a whole number from 0 to 130");
  return age;
}

FieldResult<LeadStatus> parse_status(std::string_view value) {
  const std::string key = header_key(trim_blanks(value));
  static constexpr std::pair<std::string_view, LeadStatus> kNames[] = {
      {"new", LeadStatus::new_},           {"nuevo", LeadStatus::new_},           {"nueva", LeadStatus::new_},
      {"contacted", LeadStatus::contacted}, {"contactado", LeadStatus::contacted}, {"contactada", LeadStatus::contacted},
      {"qualified", LeadStatus::qualified}, {"cualificado", LeadStatus::qualified}, {"cualificada", LeadStatus::qualified},
      {"calificado", LeadStatus::qualified}, {"calificada", LeadStatus::qualified}, {"converted", LeadStatus::converted},
      {"convertido", LeadStatus::converted}, {"convertida", LeadStatus::converted}, {"lost", LeadStatus::lost},
      {"perdido", LeadStatus::lost},       {"perdida", LeadStatus::lost},
  };
  for (const auto& [name, status] : kNames)
    if (name == key) return status;
  return fail("invalid_status", "the status must be new, contacted, qualified, converted or lost "
                                "(nuevo, contactado, cualificado, convertido, perdido)");
}

FieldResult<bool> parse_consent(std::string_view value) {
  const std::string key = header_key(trim_blanks(value));
  static constexpr std::string_view kTrue[] = {"true", "yes", "si", "y", "s", "1", "x", "verdadero", "t"};
  static constexpr std::string_view kFalse[] = {"false", "no", "n", "0", "falso", "f"};
  for (auto t : kTrue)
    if (key == t) return true;
  for (auto f : kFalse)
    if (key == f) return false;
  return fail("invalid_boolean", "a consent must be yes or no (true/false, sí/no, 1/0, x)");
}

FieldResult<std::int64_t> parse_campaign_id(std::string_view value) {
  const std::string_view v = trim_blanks(value);
  std::int64_t id = 0;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), id);
  if (!all_digits(v) || ec != std::errc{} || end != v.data() + v.size() || id <= 0) {
    return fail("invalid_campaign", "the campaign must be a campaign id (a positive whole number)");
  }
  return id;
}

std::vector<std::string_view> split_interests(std::string_view value) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= value.size(); ++i) {
    if (i == value.size() || value[i] == ';' || value[i] == '|' || value[i] == ',') {
      out.push_back(value.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

FieldResult<std::vector<std::string>> normalize_interests(const std::vector<std::string_view>& items) {
  std::vector<std::string> out;
  for (std::string_view item : items) {
    const std::string_view v = trim_blanks(item);
    if (v.empty()) continue;
    auto text = capped_text(v, kMaxInterestChars, "an interest", true);
    if (!text) return tl::unexpected(text.error());
    out.push_back(std::move(*text));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  if (out.size() > kMaxInterests) {
    return fail("field_too_long", "there are " + std::to_string(out.size()) + " interests; the limit is " +
                                      std::to_string(kMaxInterests));
  }
  return out;
}

std::string today_utc() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

void validate_lead(const RawLead& raw, std::int64_t organization_id, const ValidationOptions& options,
                   std::size_t line, ReadRecord& out) {
  out.line = line;
  out.lead.reset();
  out.errors.clear();
  LeadInput lead;
  lead.organization_id = organization_id;

  auto reject = [&](const RawField& f, FieldError e) {
    RowError r;
    r.line = line;
    r.column = std::string(f.column);
    r.value = detail::report_value(f.value);
    r.code = std::move(e.code);
    r.message = (f.column.empty() ? std::string() : std::string(f.column) + ": ") + e.message;
    out.errors.push_back(std::move(r));
  };
  // The field's trimmed text, or nullptr when it is absent or blank.
  auto text = [&](LeadField f) -> const RawField* {
    const RawField& r = raw.get(f);
    return (r.present && !trim_blanks(r.value).empty()) ? &r : nullptr;
  };
  auto apply = [&](LeadField f, auto rule, auto store) {
    if (const RawField* r = text(f)) {
      auto result = rule(r->value);
      if (result) store(std::move(*result));
      else reject(*r, std::move(result.error()));
    }
  };

  if (const RawField* r = text(LeadField::email)) {
    auto email = normalize_email(r->value);
    if (email) lead.email = std::move(*email);
    else reject(*r, std::move(email.error()));
  } else {
    const RawField& r2 = raw.get(LeadField::email);
    RowError e;
    e.line = line;
    e.column = std::string(r2.column);
    e.code = "missing_email";
    e.message = "the record has no email, which every lead needs";
    out.errors.push_back(std::move(e));
  }

  // The name: a full-name column, else first and last names joined.
  {
    std::string name;
    const RawField* field = nullptr;
    for (LeadField f : {LeadField::name, LeadField::first_name, LeadField::last_name}) {
      if (f == LeadField::first_name && text(LeadField::name)) continue;  // the full name wins over a first name
      if (const RawField* r = text(f)) {
        if (!name.empty()) name += ' ';
        name += trim_blanks(r->value);
        field = field ? field : r;
      }
    }
    if (field) {
      auto n = capped_text(name, kMaxNameChars, "the name", false);
      if (n) lead.name = std::move(*n);
      else reject(*field, std::move(n.error()));
    }
  }
  apply(LeadField::phone, [&](std::string_view v) { return normalize_phone(v, options.default_country); },
        [&](std::string v) { lead.phone = std::move(v); });
  apply(LeadField::source, [](std::string_view v) { return capped_text(trim_blanks(v), kMaxSourceChars, "the source", true); },
        [&](std::string v) { lead.source = std::move(v); });
  apply(LeadField::country, normalize_country, [&](std::string v) { lead.country = std::move(v); });
  apply(LeadField::city, [](std::string_view v) { return capped_text(trim_blanks(v), kMaxCityChars, "the city", false); },
        [&](std::string v) { lead.city = std::move(v); });
  if (raw.interest_list) {
    auto items = normalize_interests(*raw.interest_list);
    if (items) lead.interests = std::move(*items);
    else reject(raw.get(LeadField::interests), std::move(items.error()));
  } else {
    apply(LeadField::interests, [](std::string_view v) { return normalize_interests(split_interests(v)); },
          [&](std::vector<std::string> v) { lead.interests = std::move(v); });
  }
  apply(LeadField::birth_date, [&](std::string_view v) { return normalize_birth_date(v, options.today); },
        [&](std::string v) { lead.birth_date = std::move(v); });
  apply(LeadField::age, parse_age, [&](int v) { lead.age = v; });
  apply(LeadField::consent_email, parse_consent, [&](bool v) { lead.consents.email = v; });
  apply(LeadField::consent_sms, parse_consent, [&](bool v) { lead.consents.sms = v; });
  apply(LeadField::consent_phone, parse_consent, [&](bool v) { lead.consents.phone = v; });
  apply(LeadField::consent_given_at,
        [](std::string_view v) -> FieldResult<std::string> {
          if (auto t = promptsales::normalize_iso8601(trim_blanks(v))) return *t;
          return fail("invalid_date", "not an ISO-8601 date or timestamp (like 2024-05-01T10:00:00Z)");
        },
        [&](std::string v) { lead.consents.given_at = std::move(v); });
  apply(LeadField::status, parse_status, [&](LeadStatus v) { lead.status = v; });
  apply(LeadField::campaign_id, parse_campaign_id, [&](std::int64_t v) { lead.campaign_id = v; });

  if (out.errors.empty()) out.lead = std::move(lead);
}

}  // namespace promptsales::crm
