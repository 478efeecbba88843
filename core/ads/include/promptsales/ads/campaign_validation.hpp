#pragma once
/// Field rules for campaigns. Each function throws ValidationError naming the
/// field (in the API's camelCase) and what is wrong, or returns the
/// normalized value.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "promptsales/ads/campaign.hpp"
#include "promptsales/common/utf8.hpp"

namespace promptsales::ads::validate {

std::int64_t organization_id(std::int64_t id);
std::string name(std::string_view value);
std::string description(std::string_view value);
/// "1500", "1500.5", "1500.50" -> "1500.50"; at most 12 integer digits.
std::string budget(std::string_view value);
/// ISO 4217 code; lower case accepted and upper-cased.
std::string currency(std::string_view value);
/// Known channels, lower case, no duplicates, order kept.
std::vector<std::string> channels(const std::vector<std::string>& values);
/// ISO-8601; returns the normalized UTC form.
std::string timestamp(std::string_view field, std::string_view value);
/// ends_at after starts_at when both are set.
void schedule(const std::optional<std::string>& starts_at, const std::optional<std::string>& ends_at);
CampaignStatus status(std::string_view value);

/// A whole filter: limit 1..100, offset 0..1,000,000, search <= 200 chars.
void filter(const CampaignFilter& f);

/// Number of Unicode characters, or nullopt if `s` is not valid UTF-8.
using promptsales::utf8_length;

}  // namespace promptsales::ads::validate
