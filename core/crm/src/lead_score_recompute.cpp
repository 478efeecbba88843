#include "promptsales/crm/lead_score_recompute.hpp"

#include <algorithm>
#include <cstdio>
#include <string>
#include <unordered_map>
#include <vector>

#include <pqxx/pqxx>

#include "promptsales/common/db/pool.hpp"
#include "promptsales/common/errors.hpp"

namespace promptsales::crm {
namespace {

// Presence only: `IS NOT NULL` on the encrypted columns, never their values.
constexpr const char* kLeadsBatch =
    "SELECT id, name_encrypted IS NOT NULL, phone_encrypted IS NOT NULL, country IS NOT NULL, "
    "city IS NOT NULL, cardinality(interests) > 0, (birth_date IS NOT NULL OR age IS NOT NULL), "
    "(consent_email OR consent_sms OR consent_phone), source, extract(epoch FROM created_at)::float8, score "
    "FROM leads WHERE ($1::bigint IS NULL OR organization_id = $1) AND ($2::bigint IS NULL OR id = $2) "
    "AND id > $3 AND forgotten_at IS NULL ORDER BY id LIMIT $4";
constexpr const char* kEventsOfBatch =
    "SELECT lead_id, kind, extract(epoch FROM occurred_at)::float8 FROM lead_events "
    "WHERE lead_id = ANY($1::bigint[])";
// Only rows whose score differs are touched; updated_at stays (a rescore
// is not an edit of the lead).
constexpr const char* kWriteScores =
    "UPDATE leads l SET score = u.score FROM unnest($1::bigint[], $2::smallint[]) AS u(id, score) "
    "WHERE l.id = u.id AND l.score <> u.score";

ScoringClock::time_point from_epoch(double seconds) {
  return ScoringClock::time_point(
      std::chrono::duration_cast<ScoringClock::duration>(std::chrono::duration<double>(seconds)));
}

template <class T>
std::string int_array(const std::vector<T>& v) {
  std::string s = "{";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
  return s + "}";
}

}  // namespace

ScoreRecomputeSummary recompute_scores(db::Pool& crm, const ScoringWeights& weights,
                                       const ScoreRecomputeOptions& o) {
  if (o.batch_size < 1 || o.batch_size > 100000) throw ValidationError("batch-size", "must be 1-100000");
  ScoreRecomputeSummary summary;
  std::int64_t after = 0;
  for (;;) {
    const bool more = crm.with_connection([&](pqxx::connection& conn) {
      pqxx::work tx(conn);
      const auto leads = tx.exec_params(kLeadsBatch, o.organization_id, o.lead_id, after,
                                        static_cast<long long>(o.batch_size));
      if (leads.empty()) return false;
      std::vector<std::int64_t> ids;
      ids.reserve(leads.size());
      for (const auto& r : leads) ids.push_back(r[0].as<std::int64_t>());
      std::unordered_map<std::int64_t, EngagementFacts> events;
      for (const auto& r : tx.exec_params(kEventsOfBatch, int_array(ids))) {
        events[r[0].as<std::int64_t>()].events.push_back({r[1].as<std::string>(), from_epoch(r[2].as<double>())});
      }
      std::vector<std::int64_t> changed_ids;
      std::vector<int> changed_scores;
      static const EngagementFacts kNone;
      for (const auto& r : leads) {
        LeadProfileFacts p;
        p.has_name = r[1].as<bool>();
        p.has_phone = r[2].as<bool>();
        p.has_country = r[3].as<bool>();
        p.has_city = r[4].as<bool>();
        p.has_interests = r[5].as<bool>();
        p.has_birth_date_or_age = r[6].as<bool>();
        p.has_consent = r[7].as<bool>();
        if (!r[8].is_null()) p.source = r[8].as<std::string>();
        p.created_at = from_epoch(r[9].as<double>());
        const auto id = r[0].as<std::int64_t>();
        const auto it = events.find(id);
        const int s = score(p, it == events.end() ? kNone : it->second, o.now, weights);
        ++summary.leads;
        ++summary.deciles[static_cast<std::size_t>(std::min(s / 10, 9))];
        if (s != r[10].as<int>()) {
          changed_ids.push_back(id);
          changed_scores.push_back(s);
        }
      }
      if (!changed_ids.empty()) {
        summary.changed += tx.exec_params(kWriteScores, int_array(changed_ids), int_array(changed_scores))
                               .affected_rows();
      }
      tx.commit();
      after = ids.back();
      return leads.size() == o.batch_size;
    });
    if (o.on_progress) o.on_progress(summary.leads);
    if (!more) break;
  }
  return summary;
}

}  // namespace promptsales::crm
