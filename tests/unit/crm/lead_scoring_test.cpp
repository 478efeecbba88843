// The lead score: bounds, monotonicity, decay, weights, parsing errors.

#include <catch2/catch.hpp>

#include "promptsales/common/errors.hpp"
#include "promptsales/crm/lead_scoring.hpp"

using namespace promptsales;
using namespace promptsales::crm;
using namespace std::chrono_literals;

namespace {

const auto kNow = ScoringClock::time_point{} + 24h * 20000;  // a fixed "now"

LeadProfileFacts profile(bool full) {
  LeadProfileFacts p;
  p.has_name = p.has_phone = p.has_country = p.has_city = full;
  p.has_interests = p.has_birth_date_or_age = p.has_consent = full;
  p.source = "web";
  p.created_at = kNow - 24h * 60;
  return p;
}

EngagementFacts events(int n, std::chrono::hours age, const std::string& kind = "email.clicked") {
  EngagementFacts e;
  for (int i = 0; i < n; ++i) e.events.push_back({kind, kNow - age});
  return e;
}

}  // namespace

TEST_CASE("the score stays within 0..100 at the extremes", "[crm][scoring]") {
  const auto w = ScoringWeights::defaults();
  LeadProfileFacts empty;
  empty.created_at = kNow - 24h * 3650;
  const int low = score(empty, {}, kNow, w);
  CHECK(low >= 0);
  CHECK(low <= 2);
  auto full = profile(true);
  full.source = "referral";
  full.created_at = kNow;
  const int high = score(full, events(1000, 0h, "purchase"), kNow, w);
  CHECK(high == 100);
}

TEST_CASE("more events never lower the score", "[crm][scoring]") {
  const auto w = ScoringWeights::defaults();
  const auto p = profile(false);
  int previous = score(p, {}, kNow, w);
  EngagementFacts e;
  for (int n = 1; n <= 60; ++n) {
    // Each round adds one event of some age (0-90 days) to the same lead.
    e.events.push_back({n % 3 ? "email.opened" : "form.submitted", kNow - 24h * ((n * 37) % 91)});
    const int s = score(p, e, kNow, w);
    CHECK(s >= previous);
    previous = s;
  }
  CHECK(previous > score(p, {}, kNow, w));
  // An event older than the lead's creation does not make it look staler.
  auto stale = events(0, 0h);
  stale.events.push_back({"email.opened", p.created_at - 24h * 400});
  CHECK(score(p, stale, kNow, w) >= score(p, {}, kNow, w));
}

TEST_CASE("an older event counts less than a recent one", "[crm][scoring]") {
  const auto w = ScoringWeights::defaults();
  const auto p = profile(true);
  const auto recent = score_breakdown(p, events(3, 24h * 1), kNow, w);
  const auto old = score_breakdown(p, events(3, 24h * 90), kNow, w);
  CHECK(recent.engagement > old.engagement);
  CHECK(recent.recency > old.recency);
  CHECK(recent.score > old.score);
  // One half-life halves an event's points: 3 points -> 1.5.
  ScoringWeights only_engagement = w;
  only_engagement.completeness = only_engagement.source = only_engagement.recency = 0;
  const auto half = score_breakdown(p, events(1, 24h * 30), kNow, only_engagement);
  CHECK(half.engagement == Approx(1 - std::exp(-1.5 / 10)));
}

TEST_CASE("a weight of 0 removes its component", "[crm][scoring]") {
  auto w = ScoringWeights::defaults();
  w.source = 0;
  auto a = profile(true);
  auto b = a;
  b.source = "referral";
  a.source = "import";
  CHECK(score(a, {}, kNow, w) == score(b, {}, kNow, w));
  w.engagement = 0;
  w.recency = 0;
  CHECK(score(a, {}, kNow, w) == score(a, events(5, 0h), kNow, w));
  // Only completeness left: 7/7 -> 100, 0/7 -> 0.
  ScoringWeights c;
  c.source = c.engagement = c.recency = 0;
  c.completeness = 1;
  CHECK(score(profile(true), {}, kNow, c) == 100);
  CHECK(score(profile(false), {}, kNow, c) == 0);
  ScoringWeights none;
  none.completeness = none.source = none.engagement = none.recency = 0;
  CHECK(score(profile(true), events(3, 0h), kNow, none) == 0);
}

TEST_CASE("completeness counts the seven profile facts", "[crm][scoring]") {
  ScoringWeights c = ScoringWeights::defaults();
  c.source = c.engagement = c.recency = 0;
  auto p = profile(false);
  p.has_name = p.has_country = true;
  CHECK(score_breakdown(p, {}, kNow, c).completeness == Approx(2.0 / 7));
  CHECK(score(p, {}, kNow, c) == 29);
}

TEST_CASE("sources take their table value, unknown ones take other, none takes 0", "[crm][scoring]") {
  const auto w = ScoringWeights::defaults();
  auto p = profile(false);
  p.source = "referral";
  CHECK(score_breakdown(p, {}, kNow, w).source == 1.0);
  p.source = "carrier-pigeon";
  CHECK(score_breakdown(p, {}, kNow, w).source == Approx(0.3));
  p.source.reset();
  CHECK(score_breakdown(p, {}, kNow, w).source == 0.0);
}

TEST_CASE("weights parse from JSON over the defaults", "[crm][scoring]") {
  CHECK(parse_scoring_weights("").engagement == 35);
  const auto w = parse_scoring_weights(
      R"({"engagement": 50, "sources": {"tiktok": 0.4}, "events": {"demo.booked": 12}, "recency_half_life_days": 7})");
  CHECK(w.engagement == 50);
  CHECK(w.completeness == 30);
  CHECK(w.sources.at("tiktok") == 0.4);
  CHECK(w.sources.at("referral") == 1.0);  // merged, not replaced
  CHECK(w.events.at("demo.booked") == 12);
  CHECK(w.recency_half_life_days == 7);
}

TEST_CASE("bad weights are refused naming the key and the problem", "[crm][scoring]") {
  auto message = [](const std::string& text) {
    try {
      parse_scoring_weights(text);
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  CHECK_THAT(message("{not json"), Catch::Contains("lead_scoring_weights") && Catch::Contains("not valid JSON"));
  CHECK_THAT(message(R"({"engagment": 3})"), Catch::Contains("lead_scoring_weights") &&
                                                   Catch::Contains("unknown key 'engagment'"));
  CHECK_THAT(message(R"({"source": -1})"), Catch::Contains("source must be"));
  CHECK_THAT(message(R"({"recency_half_life_days": 0})"), Catch::Contains("recency_half_life_days"));
  CHECK_THAT(message(R"({"sources": {"web": 2}})"), Catch::Contains("sources.web"));
  CHECK_THAT(message(R"({"events": {"Bad Kind": 1}})"), Catch::Contains("'Bad Kind' is not an event kind"));
  CHECK_THAT(message("[1,2]"), Catch::Contains("must be a JSON object"));
}

TEST_CASE("event kinds follow the lead_events CHECK", "[crm][scoring]") {
  CHECK(valid_event_kind("email.opened"));
  CHECK(valid_event_kind("a"));
  CHECK(valid_event_kind(std::string(40, 'a')));
  CHECK_FALSE(valid_event_kind(std::string(41, 'a')));
  CHECK_FALSE(valid_event_kind(""));
  CHECK_FALSE(valid_event_kind("1click"));
  CHECK_FALSE(valid_event_kind("Email"));
  CHECK_FALSE(valid_event_kind("email-opened"));
}
