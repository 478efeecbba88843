#include "http_date.hpp"

#include <array>
#include <cstring>
#include <ctime>

namespace promptsales::http::detail {
namespace {

constexpr std::size_t kDateLength = 29;

void put2(char* p, int v) {
  p[0] = static_cast<char>('0' + v / 10);
  p[1] = static_cast<char>('0' + v % 10);
}

struct DateCache {
  std::time_t second = -1;
  std::array<char, kDateLength> text{};

  void format(std::time_t now) {
    static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    std::tm tm{};
    gmtime_r(&now, &tm);
    char* p = text.data();
    std::memcpy(p, kDays[tm.tm_wday], 3);
    std::memcpy(p + 3, ", ", 2);
    put2(p + 5, tm.tm_mday);
    p[7] = ' ';
    std::memcpy(p + 8, kMonths[tm.tm_mon], 3);
    p[11] = ' ';
    const int year = tm.tm_year + 1900;
    put2(p + 12, year / 100);
    put2(p + 14, year % 100);
    p[16] = ' ';
    put2(p + 17, tm.tm_hour);
    p[19] = ':';
    put2(p + 20, tm.tm_min);
    p[22] = ':';
    put2(p + 23, tm.tm_sec);
    std::memcpy(p + 25, " GMT", 4);
    second = now;
  }
};

}  // namespace

std::string_view http_date_now() noexcept {
  thread_local DateCache cache;
  // time() is a vDSO call on Linux: no system call per request.
  const std::time_t now = std::time(nullptr);
  if (now != cache.second) cache.format(now);
  return {cache.text.data(), cache.text.size()};
}

}  // namespace promptsales::http::detail
