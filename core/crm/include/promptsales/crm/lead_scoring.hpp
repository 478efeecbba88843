#pragma once
/// The lead score: a pure, deterministic, rule-based model (no I/O).
///
///   completeness C = present / 7 of {name, phone, country, city, interests,
///                    birth date or age, any consent}
///   source       S = sources[source] (0..1); a source not in the table
///                    takes sources["other"], no source takes 0
///   engagement   E = 1 - exp(-raw / engagement_saturation), where
///                    raw = sum over events of events[kind] (or
///                    default_event_points) * 0.5^(age_days / engagement_half_life_days)
///   recency      R = 0.5^(days since max(last event, creation) / recency_half_life_days)
///   score = round(100 * (wC*C + wS*S + wE*E + wR*R) / (wC + wS + wE + wR)),
///           clamped to 0..100 (0 when every weight is 0).
/// Ages are clamped at 0 (an event in the future counts as now). Points are
/// never negative, so another event never lowers a score.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace promptsales::crm {

using ScoringClock = std::chrono::system_clock;

struct ScoringWeights {
  double completeness = 30;  ///< component weights, >= 0; normalised by their sum
  double source = 20;
  double engagement = 35;
  double recency = 15;
  std::map<std::string, double> sources;  ///< source -> value 0..1 ("other": unlisted sources)
  std::map<std::string, double> events;   ///< event kind -> points 0..1000
  double default_event_points = 1;        ///< points of a kind not in `events`
  double engagement_half_life_days = 30;  ///< > 0
  double recency_half_life_days = 14;     ///< > 0
  double engagement_saturation = 10;      ///< > 0: raw points giving E = 1 - 1/e

  /// The built-in table (README "Scoring").
  static ScoringWeights defaults();
};

/// Parses the JSON of config key `key` (lead_scoring_weights) over the
/// defaults: top-level numbers replace, "sources"/"events" entries are
/// merged into the default tables. Empty text gives the defaults. Throws
/// ConfigError naming `key` and the problem (bad JSON, unknown key, a value
/// out of range, an event kind that lead_events would refuse).
ScoringWeights parse_scoring_weights(std::string_view json_text, std::string_view key = "lead_scoring_weights");

/// What the score needs from a lead: only whether each field is present
/// (encrypted columns are never decrypted for scoring).
struct LeadProfileFacts {
  bool has_name = false;
  bool has_phone = false;
  bool has_country = false;
  bool has_city = false;
  bool has_interests = false;
  bool has_birth_date_or_age = false;
  bool has_consent = false;
  std::optional<std::string> source;
  ScoringClock::time_point created_at{};
};

struct LeadEventFact {
  std::string kind;
  ScoringClock::time_point occurred_at{};
};

struct EngagementFacts {
  std::vector<LeadEventFact> events;
};

/// True when `kind` matches lead_events' CHECK: ^[a-z][a-z0-9_.]{0,39}$.
bool valid_event_kind(std::string_view kind);

/// The components (each 0..1) and the score, for explanations and tests.
struct ScoreBreakdown {
  double completeness = 0, source = 0, engagement = 0, recency = 0;
  int score = 0;
};

ScoreBreakdown score_breakdown(const LeadProfileFacts& profile, const EngagementFacts& engagement,
                               ScoringClock::time_point now, const ScoringWeights& weights);

/// The score 0..100.
int score(const LeadProfileFacts& profile, const EngagementFacts& engagement, ScoringClock::time_point now,
          const ScoringWeights& weights);

}  // namespace promptsales::crm
