#include "promptsales/crm/lead.hpp"

#include <array>
#include <utility>

namespace promptsales::crm {

namespace {
constexpr std::array<std::pair<LeadStatus, std::string_view>, 5> kNames{{
    {LeadStatus::new_, "new"},
    {LeadStatus::contacted, "contacted"},
    {LeadStatus::qualified, "qualified"},
    {LeadStatus::converted, "converted"},
    {LeadStatus::lost, "lost"},
}};
}  // namespace

std::string_view to_string(LeadStatus s) noexcept {
  for (const auto& [status, name] : kNames)
    if (status == s) return name;
  return "new";
}

std::optional<LeadStatus> lead_status_from_string(std::string_view s) noexcept {
  for (const auto& [status, name] : kNames)
    if (name == s) return status;
  return std::nullopt;
}

}  // namespace promptsales::crm
