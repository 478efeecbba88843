#pragma once
/// Deterministic, realistic demo and benchmark campaigns: Spanish and English
/// names and descriptions of varied length up to the column limits, ~3%
/// deleted, spread over two years. The same seed gives the same campaigns.

#include <cstdint>

#include "promptsales/ads/campaign.hpp"

namespace promptsales::ads {

class CampaignGenerator {
 public:
  explicit CampaignGenerator(std::uint64_t seed) : state_(seed ^ 0x9E3779B97F4A7C15ULL) {}

  /// The next campaign of `organization_id` (id and checksum filled; ids are
  /// assigned by the caller's counter).
  Campaign next(std::int64_t id, std::int64_t organization_id);

 private:
  std::uint64_t next_u64();
  std::uint64_t below(std::uint64_t n) { return next_u64() % n; }
  std::uint64_t state_;
};

}  // namespace promptsales::ads
