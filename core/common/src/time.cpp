#include "promptsales/common/time.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace promptsales {
namespace {

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

}  // namespace

std::string format_iso8601_utc(long long unix_seconds, int millis) {
  const std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
  return buf;
}

std::optional<std::string> normalize_iso8601(std::string_view s) {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, millis = 0;
  if (!digits(s, 0, 4, year) || s.size() < 10 || s[4] != '-' || !digits(s, 5, 2, month) || s[7] != '-' ||
      !digits(s, 8, 2, day)) {
    return std::nullopt;
  }
  if (year < 1970 || year > 9999 || month < 1 || month > 12 || day < 1 || day > days_in_month(year, month)) {
    return std::nullopt;
  }
  std::size_t pos = 10;
  int offset_minutes = 0;
  if (pos < s.size()) {
    if (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ') return std::nullopt;
    if (!digits(s, pos + 1, 2, hour) || pos + 3 >= s.size() || s[pos + 3] != ':' || !digits(s, pos + 4, 2, minute)) {
      return std::nullopt;
    }
    pos += 6;
    if (pos < s.size() && s[pos] == ':') {
      if (!digits(s, pos + 1, 2, second)) return std::nullopt;
      pos += 3;
      if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
        ++pos;
        std::size_t n = 0;
        int scale = 100;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
          if (n < 3) millis += (s[pos] - '0') * scale;
          scale /= 10;
          ++pos;
          ++n;
        }
        if (n == 0 || n > 9) return std::nullopt;
      }
    }
    if (hour > 23 || minute > 59 || second > 59) return std::nullopt;
    if (pos < s.size()) {
      if ((s[pos] == 'Z' || s[pos] == 'z') && pos + 1 == s.size()) {
        pos += 1;
      } else if (s[pos] == '+' || s[pos] == '-') {
        int oh = 0, om = 0;
        if (!digits(s, pos + 1, 2, oh)) return std::nullopt;
        std::size_t p = pos + 3;
        if (p < s.size() && s[p] == ':') ++p;
        if (!digits(s, p, 2, om) || p + 2 != s.size() || oh > 14 || om > 59) return std::nullopt;
        offset_minutes = (oh * 60 + om) * (s[pos] == '-' ? -1 : 1);
        pos = s.size();
      } else {
        return std::nullopt;
      }
    }
  }
  if (pos != s.size()) return std::nullopt;
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  const long long unix_seconds = static_cast<long long>(timegm(&tm)) - offset_minutes * 60LL;
  // The offset may carry the instant outside the four-digit years we accept.
  constexpr long long kLastSecondOf9999 = 253402300799LL;
  if (unix_seconds < 0 || unix_seconds > kLastSecondOf9999) return std::nullopt;
  return format_iso8601_utc(unix_seconds, millis);
}

std::string pg_timestamp_to_iso(std::string_view pg) {
  std::string out;
  out.reserve(24);
  append_pg_timestamp_iso(out, pg);
  return out;
}

void append_pg_timestamp_iso(std::string& out, std::string_view pg) {
  // "YYYY-MM-DD HH:MM:SS[.ffffff]+00" -> "YYYY-MM-DDTHH:MM:SS.mmmZ"
  if (pg.size() < 19) {
    out.append(pg);
    return;
  }
  out.append(pg.data(), 10);
  out.push_back('T');
  out.append(pg.data() + 11, 8);
  out.push_back('.');
  std::size_t pos = 19;
  int n = 0;
  if (pos < pg.size() && pg[pos] == '.') {
    ++pos;
    while (pos < pg.size() && pg[pos] >= '0' && pg[pos] <= '9') {
      if (n < 3) out.push_back(pg[pos]);
      ++n;
      ++pos;
    }
  }
  for (; n < 3; ++n) out.push_back('0');
  out.push_back('Z');
}

long long iso8601_to_unix(std::string_view normalized) {
  std::tm tm{};
  int y = 0, mo = 0, d = 0;
  digits(normalized, 0, 4, y);
  digits(normalized, 5, 2, mo);
  digits(normalized, 8, 2, d);
  digits(normalized, 11, 2, tm.tm_hour);
  digits(normalized, 14, 2, tm.tm_min);
  digits(normalized, 17, 2, tm.tm_sec);
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  return static_cast<long long>(timegm(&tm));
}

std::string now_iso8601() {
  using namespace std::chrono;
  const auto now = system_clock::now();
  const auto secs = duration_cast<seconds>(now.time_since_epoch()).count();
  const auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
  return format_iso8601_utc(secs, static_cast<int>(ms));
}

}  // namespace promptsales
