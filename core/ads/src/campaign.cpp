#include "promptsales/ads/campaign.hpp"

#include <array>

#include "promptsales/common/hash.hpp"

namespace promptsales::ads {
namespace {

constexpr std::array<std::pair<CampaignStatus, std::string_view>, 5> kStatusNames = {{
    {CampaignStatus::draft, "draft"},
    {CampaignStatus::scheduled, "scheduled"},
    {CampaignStatus::active, "active"},
    {CampaignStatus::paused, "paused"},
    {CampaignStatus::ended, "ended"},
}};

}  // namespace

std::string_view to_string(CampaignStatus s) noexcept {
  for (const auto& [status, name] : kStatusNames) {
    if (status == s) return name;
  }
  return "draft";
}

std::optional<CampaignStatus> status_from_string(std::string_view s) noexcept {
  for (const auto& [status, name] : kStatusNames) {
    if (name == s) return status;
  }
  return std::nullopt;
}

bool transition_allowed(CampaignStatus from, CampaignStatus to) noexcept {
  using S = CampaignStatus;
  if (from == to) return true;
  switch (from) {
    case S::draft: return to == S::scheduled || to == S::active || to == S::ended;
    case S::scheduled: return to == S::draft || to == S::active || to == S::paused || to == S::ended;
    case S::active: return to == S::paused || to == S::ended;
    case S::paused: return to == S::active || to == S::ended;
    case S::ended: return false;
  }
  return false;
}

const std::vector<std::string_view>& known_channels() {
  static const std::vector<std::string_view> channels = {
      "facebook", "instagram", "tiktok",   "linkedin", "x",     "youtube",
      "google_ads", "email",   "whatsapp", "sms",      "web",   "pinterest"};
  return channels;
}

std::string content_checksum(const Campaign& c) {
  // Unit separators keep field boundaries unambiguous.
  std::string canonical;
  canonical.reserve(64 + c.name.size() + c.description.size());
  const auto add = [&](std::string_view v) {
    canonical.append(v);
    canonical.push_back('\x1f');
  };
  add(std::to_string(c.organization_id));
  add(c.name);
  add(c.description);
  add(to_string(c.status));
  add(c.enabled ? "1" : "0");
  add(c.deleted ? "1" : "0");
  add(c.budget);
  add(c.currency);
  for (const auto& ch : c.channels) {
    canonical.append(ch);
    canonical.push_back(',');
  }
  canonical.push_back('\x1f');
  add(c.starts_at.value_or(""));
  add(c.ends_at.value_or(""));
  return sha256_hex(canonical);
}

}  // namespace promptsales::ads
