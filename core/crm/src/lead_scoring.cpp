#include "promptsales/crm/lead_scoring.hpp"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "promptsales/common/errors.hpp"

namespace promptsales::crm {
namespace {

double days_between(ScoringClock::time_point from, ScoringClock::time_point to) {
  const double seconds = std::chrono::duration<double>(to - from).count();
  return std::max(0.0, seconds / 86400.0);
}

double half_life_decay(double age_days, double half_life_days) { return std::exp2(-age_days / half_life_days); }

[[noreturn]] void fail(std::string_view key, const std::string& what) {
  throw ConfigError(std::string(key) + ": " + what);
}

double number(const nlohmann::json& v, std::string_view key, const std::string& path, double lo, double hi,
              bool lo_exclusive = false) {
  if (!v.is_number()) fail(key, path + " must be a number");
  const double d = v.get<double>();
  if (!std::isfinite(d) || d < lo || d > hi || (lo_exclusive && d <= lo)) {
    fail(key, path + " must be " + (lo_exclusive ? "above " : "from ") + std::to_string(static_cast<int>(lo)) +
                  (lo_exclusive ? " and at most " : " to ") + std::to_string(static_cast<int>(hi)));
  }
  return d;
}

}  // namespace

ScoringWeights ScoringWeights::defaults() {
  ScoringWeights w;
  w.sources = {{"referral", 1.0}, {"partner", 0.9}, {"web", 0.8},      {"event", 0.7},   {"email", 0.6},
               {"google", 0.6},   {"linkedin", 0.6}, {"facebook", 0.5}, {"instagram", 0.5}, {"import", 0.3},
               {"other", 0.3}};
  w.events = {{"email.opened", 1},   {"email.clicked", 3}, {"page.viewed", 1},   {"form.submitted", 5},
              {"message.replied", 5}, {"call.answered", 6}, {"meeting.booked", 10}, {"purchase", 15}};
  return w;
}

bool valid_event_kind(std::string_view kind) {
  if (kind.empty() || kind.size() > 40) return false;
  if (kind[0] < 'a' || kind[0] > 'z') return false;
  return std::all_of(kind.begin() + 1, kind.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
  });
}

ScoringWeights parse_scoring_weights(std::string_view text, std::string_view key) {
  auto w = ScoringWeights::defaults();
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) return w;
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    fail(key, std::string("not valid JSON (") + e.what() + ")");
  }
  if (!j.is_object()) fail(key, "must be a JSON object");
  for (const auto& [name, v] : j.items()) {
    if (name == "completeness") {
      w.completeness = number(v, key, name, 0, 1000);
    } else if (name == "source") {
      w.source = number(v, key, name, 0, 1000);
    } else if (name == "engagement") {
      w.engagement = number(v, key, name, 0, 1000);
    } else if (name == "recency") {
      w.recency = number(v, key, name, 0, 1000);
    } else if (name == "default_event_points") {
      w.default_event_points = number(v, key, name, 0, 1000);
    } else if (name == "engagement_half_life_days") {
      w.engagement_half_life_days = number(v, key, name, 0, 36500, true);
    } else if (name == "recency_half_life_days") {
      w.recency_half_life_days = number(v, key, name, 0, 36500, true);
    } else if (name == "engagement_saturation") {
      w.engagement_saturation = number(v, key, name, 0, 1000000, true);
    } else if (name == "sources") {
      if (!v.is_object()) fail(key, "sources must be an object of source -> value 0..1");
      for (const auto& [source, value] : v.items()) {
        if (source.empty() || source.size() > 60) fail(key, "sources: a source name must be 1-60 characters");
        w.sources[source] = number(value, key, "sources." + source, 0, 1);
      }
    } else if (name == "events") {
      if (!v.is_object()) fail(key, "events must be an object of event kind -> points");
      for (const auto& [kind, value] : v.items()) {
        if (!valid_event_kind(kind))
          fail(key, "events: '" + kind + "' is not an event kind (lower case letter, then a-z 0-9 _ . up to 40)");
        w.events[kind] = number(value, key, "events." + kind, 0, 1000);
      }
    } else {
      fail(key, "unknown key '" + name +
                    "' (known: completeness, source, engagement, recency, sources, events, default_event_points, "
                    "engagement_half_life_days, recency_half_life_days, engagement_saturation)");
    }
  }
  return w;
}

ScoreBreakdown score_breakdown(const LeadProfileFacts& p, const EngagementFacts& e, ScoringClock::time_point now,
                               const ScoringWeights& w) {
  ScoreBreakdown b;
  const int present = int{p.has_name} + int{p.has_phone} + int{p.has_country} + int{p.has_city} +
                      int{p.has_interests} + int{p.has_birth_date_or_age} + int{p.has_consent};
  b.completeness = present / 7.0;

  if (p.source && !p.source->empty()) {
    auto it = w.sources.find(*p.source);
    if (it == w.sources.end()) it = w.sources.find("other");
    b.source = it == w.sources.end() ? 0.0 : it->second;
  }

  double raw = 0;
  auto last = p.created_at;
  for (const auto& ev : e.events) {
    const auto points = w.events.find(ev.kind);
    const double pts = points == w.events.end() ? w.default_event_points : points->second;
    raw += pts * half_life_decay(days_between(ev.occurred_at, now), w.engagement_half_life_days);
    last = std::max(last, ev.occurred_at);
  }
  b.engagement = 1.0 - std::exp(-raw / w.engagement_saturation);
  b.recency = half_life_decay(days_between(last, now), w.recency_half_life_days);

  const double total = w.completeness + w.source + w.engagement + w.recency;
  if (total <= 0) return b;
  const double v = 100.0 *
                   (w.completeness * b.completeness + w.source * b.source + w.engagement * b.engagement +
                    w.recency * b.recency) /
                   total;
  b.score = std::clamp(static_cast<int>(std::lround(v)), 0, 100);
  return b;
}

int score(const LeadProfileFacts& p, const EngagementFacts& e, ScoringClock::time_point now,
          const ScoringWeights& w) {
  return score_breakdown(p, e, now, w).score;
}

}  // namespace promptsales::crm
