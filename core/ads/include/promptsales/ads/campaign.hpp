#pragma once
/// Campaign value types. No I/O here.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace promptsales::ads {

/// Lifecycle: draft -> scheduled -> active <-> paused -> ended.
enum class CampaignStatus { draft, scheduled, active, paused, ended };

std::string_view to_string(CampaignStatus s) noexcept;
std::optional<CampaignStatus> status_from_string(std::string_view s) noexcept;
/// Whether an update may move a campaign from `from` to `to`.
bool transition_allowed(CampaignStatus from, CampaignStatus to) noexcept;

/// Limits of the original portal's campaign fields.
inline constexpr std::size_t kMaxNameChars = 60;
inline constexpr std::size_t kMaxDescriptionChars = 200;
inline constexpr std::size_t kMaxChannels = 10;

/// Channels a campaign can run on.
const std::vector<std::string_view>& known_channels();

struct Campaign {
  std::int64_t id = 0;
  std::int64_t organization_id = 0;
  std::string name;
  std::string description;
  CampaignStatus status = CampaignStatus::draft;
  bool enabled = true;
  bool deleted = false;
  std::string budget = "0.00";  ///< decimal with two places, as text (exact)
  std::string currency = "USD";
  std::vector<std::string> channels;
  std::optional<std::string> starts_at;  ///< ISO-8601 UTC
  std::optional<std::string> ends_at;
  std::string checksum;  ///< SHA-256 of the content fields (see content_checksum)
  std::string created_at;
  std::string updated_at;
};

/// Input of `create`. Unset optionals take the defaults.
struct CampaignDraft {
  std::int64_t organization_id = 0;
  std::string name;
  std::string description;
  std::optional<CampaignStatus> status;
  bool enabled = true;
  std::string budget = "0";
  std::string currency = "USD";
  std::vector<std::string> channels;
  std::optional<std::string> starts_at;
  std::optional<std::string> ends_at;
};

/// Input of `update`: only the set fields change. For the dates, an inner
/// nullopt clears the value.
struct CampaignPatch {
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::optional<CampaignStatus> status;
  std::optional<bool> enabled;
  std::optional<std::string> budget;
  std::optional<std::string> currency;
  std::optional<std::vector<std::string>> channels;
  std::optional<std::optional<std::string>> starts_at;
  std::optional<std::optional<std::string>> ends_at;

  bool empty() const noexcept {
    return !name && !description && !status && !enabled && !budget && !currency && !channels && !starts_at &&
           !ends_at;
  }
};

/// The portal's list filters.
struct CampaignFilter {
  std::optional<std::int64_t> organization_id;
  std::optional<bool> enabled;
  std::optional<std::string> search;  ///< case-insensitive, in name or description
  bool include_deleted = false;
  int limit = 20;
  int offset = 0;
};

inline constexpr int kDefaultPageSize = 20;
inline constexpr int kMaxPageSize = 100;
inline constexpr int kMaxOffset = 1'000'000;

/// SHA-256 over the content fields in a fixed canonical form.
std::string content_checksum(const Campaign& c);

}  // namespace promptsales::ads
