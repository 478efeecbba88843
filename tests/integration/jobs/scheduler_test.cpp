// The scheduler: a due job is enqueued once, even with two schedulers
// ticking at the same moment; missed fires collapse into the latest one.
#include <catch2/catch.hpp>

#include <future>

#include "jobs_fixture.hpp"
#include "promptsales/common/jobs/scheduler.hpp"
#include "promptsales/common/time.hpp"

using namespace promptsales::jobs;
using promptsales::test::JobsInstallation;
using Clock = std::chrono::system_clock;

namespace {

Clock::time_point at(const std::string& iso) {
  return Clock::time_point(std::chrono::seconds(promptsales::iso8601_to_unix(*promptsales::normalize_iso8601(iso))));
}

}  // namespace

TEST_CASE("jobs: two schedulers enqueue a due job once", "[jobs][scheduler]") {
  JobsInstallation inst;
  const auto entries = parse_schedule("every-minute=* * * * *;hourly=@hourly");
  Scheduler a(entries);
  Scheduler b(entries);
  pqxx::connection ca(inst.url());
  pqxx::connection cb(inst.url());

  // First sight: nothing is enqueued for the past.
  CHECK(a.tick(ca, at("2026-03-01T10:00:30Z")).empty());
  CHECK(inst.scalar<long>("SELECT count(*) FROM job_queue") == 0);

  for (int round = 0; round < 20; ++round) {
    const auto now = at("2026-03-01T10:00:30Z") + std::chrono::minutes(1 + round);
    auto fa = std::async(std::launch::async, [&] { return a.tick(ca, now); });
    auto fb = std::async(std::launch::async, [&] { return b.tick(cb, now); });
    const auto ea = fa.get();
    const auto eb = fb.get();
    INFO("round " << round);
    CHECK(ea.size() + eb.size() == 1);
  }
  CHECK(inst.scalar<long>("SELECT count(*) FROM job_queue WHERE job = 'every-minute'") == 20);
  CHECK(inst.scalar<long>("SELECT count(DISTINCT scheduled_for) FROM job_queue WHERE job = 'every-minute'") == 20);
  // 10:01 .. 10:20: no hour boundary yet.
  CHECK(inst.scalar<long>("SELECT count(*) FROM job_queue WHERE job = 'hourly'") == 0);

  // The same moment again: nothing new.
  CHECK(a.tick(ca, at("2026-03-01T10:20:30Z")).empty());
  CHECK(b.tick(cb, at("2026-03-01T10:20:30Z")).empty());
}

TEST_CASE("jobs: a scheduler that was down enqueues only the latest missed fire", "[jobs][scheduler]") {
  JobsInstallation inst;
  Scheduler s(parse_schedule("hourly=0 * * * *"));
  pqxx::connection c(inst.url());
  CHECK(s.tick(c, at("2026-03-01T10:30:00Z")).empty());
  const auto enqueued = s.tick(c, at("2026-03-03T07:15:00Z"));
  REQUIRE(enqueued.size() == 1);
  CHECK(enqueued[0].scheduled_for == "2026-03-03T07:00:00.000Z");
  CHECK(inst.scalar<long>("SELECT count(*) FROM job_queue") == 1);
  CHECK(inst.scalar<std::string>("SELECT to_char(scheduled_for AT TIME ZONE 'UTC', 'HH24:MI') FROM job_queue") ==
        "07:00");
  CHECK(s.tick(c, at("2026-03-03T07:59:00Z")).empty());
  CHECK(s.tick(c, at("2026-03-03T08:00:00Z")).size() == 1);
}
