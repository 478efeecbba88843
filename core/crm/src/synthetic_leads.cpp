#include "promptsales/crm/synthetic_leads.hpp"

#include <algorithm>
#include <array>
#include <string_view>

namespace promptsales::crm {
namespace {

constexpr std::array<std::string_view, 6> kCountries = {"ES", "MX", "AR", "CO", "PE", "CL"};
constexpr std::array<std::string_view, 4> kSources = {"facebook", "web", "referral", "instagram"};
constexpr std::array<std::string_view, 5> kInterests = {"fitness", "running", "shoes", "travel", "yoga"};

std::uint64_t email_number(std::uint64_t i) { return (i % 50 == 49 && i >= 7) ? i - 7 : i; }
bool rejected(std::uint64_t i) { return i % 200 == 199; }

std::string email_of(std::uint64_t i) {
  if (rejected(i)) return "not-an-email-" + std::to_string(i);
  const auto n = email_number(i);
  return "lead" + std::to_string(n) + "@example" + std::to_string(n % 97) + ".com";
}

std::string digits(std::uint64_t v, int width) {
  std::string s = std::to_string(v);
  if (static_cast<int>(s.size()) < width) s.insert(0, static_cast<std::size_t>(width) - s.size(), '0');
  return s;
}

}  // namespace

std::string SyntheticLeadSource::csv_line(std::uint64_t i) {
  std::string interests = std::string(kInterests[i % 5]) + ";" + std::string(kInterests[(i / 5 + 1) % 5]);
  if (kInterests[i % 5] > kInterests[(i / 5 + 1) % 5]) {
    interests = std::string(kInterests[(i / 5 + 1) % 5]) + ";" + std::string(kInterests[i % 5]);
  }
  if (i % 5 == (i / 5 + 1) % 5) interests = std::string(kInterests[i % 5]);
  return email_of(i) + ",Person " + std::to_string(i) + ",+34600" + digits(i % 1000000, 6) + "," +
         std::string(kCountries[i % 6]) + ",City " + std::to_string(i % 300) + "," + std::string(kSources[i % 4]) +
         "," + interests + ",19" + digits(60 + i % 40, 2) + "-0" + std::to_string(1 + i % 9) + "-1" +
         std::to_string(i % 10) + "," + (i % 3 ? "true" : "false");
}

bool SyntheticLeadSource::next(ReadRecord& out) {
  if (next_ >= count_) return false;
  const auto i = next_++;
  bytes_ += csv_line(i).size() + 1;
  out = ReadRecord{};
  out.line = i + 2;
  if (rejected(i)) {
    out.errors.push_back({out.line, "email", email_of(i), "invalid_email", "not an email address like ana@example.com"});
    return true;
  }
  LeadInput in;
  in.organization_id = organization_id_;
  in.email = email_of(i);
  in.name = "Person " + std::to_string(i);
  in.phone = "+34600" + digits(i % 1000000, 6);
  in.country = std::string(kCountries[i % 6]);
  in.city = "City " + std::to_string(i % 300);
  in.source = std::string(kSources[i % 4]);
  in.interests = {std::string(kInterests[i % 5])};
  if (i % 5 != (i / 5 + 1) % 5) in.interests.emplace_back(kInterests[(i / 5 + 1) % 5]);
  std::sort(in.interests.begin(), in.interests.end());
  in.birth_date = "19" + digits(60 + i % 40, 2) + "-0" + std::to_string(1 + i % 9) + "-1" + std::to_string(i % 10);
  in.consents.email = i % 3 != 0;
  out.lead = std::move(in);
  return true;
}

}  // namespace promptsales::crm
