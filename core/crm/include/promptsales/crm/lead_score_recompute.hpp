#pragma once
/// Recomputes stored lead scores with the model of lead_scoring.hpp: walks
/// leads by id in batches, reads each batch's profile facts (whether the
/// encrypted columns are NULL: nothing is decrypted) and events, and writes
/// the changed scores with one UPDATE per batch.

#include <array>
#include <cstdint>
#include <functional>
#include <optional>

#include "promptsales/crm/lead_scoring.hpp"

namespace promptsales::db {
class Pool;
}

namespace promptsales::crm {

struct ScoreRecomputeOptions {
  std::optional<std::int64_t> organization_id;  ///< unset: every organization
  std::optional<std::int64_t> lead_id;          ///< only this lead
  std::size_t batch_size = 1000;                ///< leads per batch and transaction
  ScoringClock::time_point now = ScoringClock::now();
  std::function<void(std::uint64_t leads_done)> on_progress;  ///< after each batch
};

struct ScoreRecomputeSummary {
  std::uint64_t leads = 0;    ///< scored (forgotten leads are skipped)
  std::uint64_t changed = 0;  ///< whose stored score changed
  std::array<std::uint64_t, 10> deciles{};  ///< new scores: 0-9, 10-19, ..., 90-100
};

ScoreRecomputeSummary recompute_scores(db::Pool& crm, const ScoringWeights& weights,
                                       const ScoreRecomputeOptions& options);

}  // namespace promptsales::crm
