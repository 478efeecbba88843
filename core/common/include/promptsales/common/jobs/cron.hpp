#pragma once
/// Cron expressions as crontab(5) writes them: five fields (minute hour
/// day-of-month month day-of-week) with *, ranges, steps, lists and names
/// (JAN-DEC, SUN-SAT; 0 and 7 are Sunday), and the @yearly, @annually,
/// @monthly, @weekly, @daily, @midnight and @hourly aliases. When both
/// day fields are restricted, a day matching either fires (as cron does).
/// Times are UTC.

#include <bitset>
#include <chrono>
#include <string>
#include <string_view>

namespace promptsales::jobs {

class CronExpression {
 public:
  using Clock = std::chrono::system_clock;
  /// Throws ValidationError naming the field ("minute", "hour", ...) and the
  /// problem, or saying the expression never fires (e.g. "0 0 30 2 *").
  static CronExpression parse(std::string_view text);

  /// The first fire time strictly after `t` (whole minutes, UTC).
  Clock::time_point next_after(Clock::time_point t) const;
  /// Whether the minute containing `t` matches.
  bool matches(Clock::time_point t) const;
  const std::string& text() const noexcept { return text_; }

 private:
  std::string text_;
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_;    // 1-31
  std::bitset<13> months_;  // 1-12
  std::bitset<7> weekdays_; // 0 = Sunday
  bool days_restricted_ = false;
  bool weekdays_restricted_ = false;
};

}  // namespace promptsales::jobs
