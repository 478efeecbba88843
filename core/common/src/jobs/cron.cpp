#include "promptsales/common/jobs/cron.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <optional>
#include <vector>

#include "promptsales/common/errors.hpp"

namespace promptsales::jobs {
namespace {

using namespace std::chrono;

struct FieldSpec {
  const char* name;
  int min;
  int max;
  const std::array<const char*, 13>* names;  // index = value; nullptr entries unused
};

constexpr std::array<const char*, 13> kMonthNames = {nullptr, "JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                                    "JUL",   "AUG", "SEP", "OCT", "NOV", "DEC"};
constexpr std::array<const char*, 13> kDayNames = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT",
                                                  nullptr, nullptr, nullptr, nullptr, nullptr, nullptr};

const std::array<FieldSpec, 5> kFields = {{{"minute", 0, 59, nullptr},
                                           {"hour", 0, 23, nullptr},
                                           {"day-of-month", 1, 31, nullptr},
                                           {"month", 1, 12, &kMonthNames},
                                           {"day-of-week", 0, 7, &kDayNames}}};

[[noreturn]] void fail(const FieldSpec& f, const std::string& text, const std::string& why) {
  throw ValidationError(f.name, "'" + text + "' " + why);
}

int parse_value(const FieldSpec& f, const std::string& item, std::string_view s) {
  if (s.empty()) fail(f, item, "has an empty value");
  if (std::isalpha(static_cast<unsigned char>(s[0]))) {
    if (f.names) {
      std::string upper(s);
      std::transform(upper.begin(), upper.end(), upper.begin(),
                     [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
      for (int v = 0; v < 13; ++v) {
        if ((*f.names)[static_cast<std::size_t>(v)] && upper == (*f.names)[static_cast<std::size_t>(v)]) return v;
      }
    }
    fail(f, item, f.names ? "has an unknown name '" + std::string(s) + "'" : "must be numeric");
  }
  int v = 0;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size()) fail(f, item, "is not a number");
  if (v < f.min || v > f.max) {
    fail(f, item, "is out of range " + std::to_string(f.min) + "-" + std::to_string(f.max));
  }
  return v;
}

// One comma-separated field into the values it allows (indices min..max).
std::vector<bool> parse_field(const FieldSpec& f, std::string_view text) {
  std::vector<bool> allowed(static_cast<std::size_t>(f.max + 1), false);
  std::size_t start = 0;
  for (;;) {
    const auto comma = text.find(',', start);
    const std::string item(text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    if (item.empty()) fail(f, std::string(text), "has an empty list item");
    std::string_view range = item;
    int step = 1;
    if (const auto slash = item.find('/'); slash != std::string::npos) {
      const std::string_view step_text = std::string_view(item).substr(slash + 1);
      const auto r = std::from_chars(step_text.data(), step_text.data() + step_text.size(), step);
      if (step_text.empty() || r.ec != std::errc() || r.ptr != step_text.data() + step_text.size() || step < 1 ||
          step > f.max) {
        fail(f, item, "has an invalid step (1-" + std::to_string(f.max) + ")");
      }
      range = std::string_view(item).substr(0, slash);
    }
    int lo = f.min;
    int hi = f.max;
    if (range == "*") {
      // every value
    } else if (const auto dash = range.find('-'); dash != std::string_view::npos) {
      lo = parse_value(f, item, range.substr(0, dash));
      hi = parse_value(f, item, range.substr(dash + 1));
      if (lo > hi) fail(f, item, "is a backwards range");
    } else {
      lo = parse_value(f, item, range);
      // "5/15" means from 5 to the end in steps of 15, as in Vixie cron.
      hi = item.find('/') != std::string::npos ? f.max : lo;
    }
    for (int v = lo; v <= hi; v += step) allowed[static_cast<std::size_t>(v)] = true;
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return allowed;
}

std::string expand_alias(std::string_view text) {
  static const std::array<std::pair<const char*, const char*>, 7> kAliases = {{{"@yearly", "0 0 1 1 *"},
                                                                               {"@annually", "0 0 1 1 *"},
                                                                               {"@monthly", "0 0 1 * *"},
                                                                               {"@weekly", "0 0 * * 0"},
                                                                               {"@daily", "0 0 * * *"},
                                                                               {"@midnight", "0 0 * * *"},
                                                                               {"@hourly", "0 * * * *"}}};
  for (const auto& [alias, expansion] : kAliases) {
    if (text == alias) return expansion;
  }
  throw ValidationError("cron", "unknown alias '" + std::string(text) +
                                    "' (use @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly)");
}

struct Civil {
  int year;
  unsigned month;
  unsigned day;
};

// Howard Hinnant's civil_from_days: days since 1970-01-01 to a date.
Civil civil_from_days(long long z) {
  z += 719468;
  const long long era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const long long y = static_cast<long long>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<int>(y + (m <= 2)), m, d};
}

int weekday_of(long long days) {  // 0 = Sunday; 1970-01-01 was a Thursday
  const long long w = (days + 4) % 7;
  return static_cast<int>(w < 0 ? w + 7 : w);
}

long long floor_div(long long a, long long b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Eight years always include a 29 February, so anything that can fire does within it.
constexpr long long kSearchDays = 8 * 366;

}  // namespace

CronExpression CronExpression::parse(std::string_view text) {
  const auto b = text.find_first_not_of(" \t");
  const auto e = text.find_last_not_of(" \t");
  const std::string trimmed = b == std::string_view::npos ? std::string() : std::string(text.substr(b, e - b + 1));
  if (trimmed.empty()) throw ValidationError("cron", "is empty");
  const std::string expanded = trimmed[0] == '@' ? expand_alias(trimmed) : trimmed;

  std::vector<std::string> fields;
  std::size_t pos = 0;
  while (pos < expanded.size()) {
    const auto start = expanded.find_first_not_of(" \t", pos);
    if (start == std::string::npos) break;
    const auto end = expanded.find_first_of(" \t", start);
    fields.push_back(expanded.substr(start, end == std::string::npos ? std::string::npos : end - start));
    pos = end == std::string::npos ? expanded.size() : end;
  }
  if (fields.size() != 5) {
    throw ValidationError("cron", "'" + trimmed + "' has " + std::to_string(fields.size()) +
                                      " fields; expected 5 (minute hour day-of-month month day-of-week)");
  }

  CronExpression c;
  c.text_ = trimmed;
  const auto minutes = parse_field(kFields[0], fields[0]);
  const auto hours = parse_field(kFields[1], fields[1]);
  const auto days = parse_field(kFields[2], fields[2]);
  const auto months = parse_field(kFields[3], fields[3]);
  const auto weekdays = parse_field(kFields[4], fields[4]);
  for (std::size_t i = 0; i < 60; ++i) c.minutes_[i] = minutes[i];
  for (std::size_t i = 0; i < 24; ++i) c.hours_[i] = hours[i];
  for (std::size_t i = 1; i < 32; ++i) c.days_[i] = days[i];
  for (std::size_t i = 1; i < 13; ++i) c.months_[i] = months[i];
  for (std::size_t i = 0; i < 7; ++i) c.weekdays_[i] = weekdays[i];
  if (weekdays[7]) c.weekdays_[0] = true;  // 7 is Sunday too
  // As in Vixie cron, a field is "restricted" unless it starts with '*'.
  c.days_restricted_ = fields[2][0] != '*';
  c.weekdays_restricted_ = fields[4][0] != '*';

  // Refuse what can never fire (30 February) here, not at 4 a.m. some day.
  const auto probe = Clock::time_point(sys_days(year(2000) / 1 / 1));
  const auto first = c.next_after(probe);
  if (first == Clock::time_point::max()) {
    throw ValidationError("cron", "'" + trimmed + "' never fires (day-of-month " + fields[2] + " in month " +
                                      fields[3] + ")");
  }
  return c;
}

bool CronExpression::matches(Clock::time_point t) const {
  const long long mins = floor<minutes>(t.time_since_epoch()).count();
  const long long days = floor_div(mins, 1440);
  const long long minute_of_day = mins - days * 1440;
  const Civil civil = civil_from_days(days);
  if (!months_[civil.month]) return false;
  const bool dom = days_[civil.day];
  const bool dow = weekdays_[static_cast<std::size_t>(weekday_of(days))];
  const bool day_ok = (days_restricted_ && weekdays_restricted_) ? (dom || dow) : (dom && dow);
  return day_ok && hours_[static_cast<std::size_t>(minute_of_day / 60)] &&
         minutes_[static_cast<std::size_t>(minute_of_day % 60)];
}

CronExpression::Clock::time_point CronExpression::next_after(Clock::time_point t) const {
  // Start at the next whole minute; walk days, then the day's hours and minutes.
  const long long start = floor<minutes>(t.time_since_epoch()).count() + 1;
  const long long first_day = floor_div(start, 1440);
  for (long long day = first_day; day < first_day + kSearchDays; ++day) {
    const Civil civil = civil_from_days(day);
    if (!months_[civil.month]) continue;
    const bool dom = days_[civil.day];
    const bool dow = weekdays_[static_cast<std::size_t>(weekday_of(day))];
    const bool day_ok = (days_restricted_ && weekdays_restricted_) ? (dom || dow) : (dom && dow);
    if (!day_ok) continue;
    const long long from = day == first_day ? start - day * 1440 : 0;
    for (long long m = from; m < 1440; ++m) {
      if (hours_[static_cast<std::size_t>(m / 60)] && minutes_[static_cast<std::size_t>(m % 60)]) {
        return Clock::time_point(minutes(day * 1440 + m));
      }
    }
  }
  return Clock::time_point::max();
}

}  // namespace promptsales::jobs
