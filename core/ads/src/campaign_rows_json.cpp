#include "promptsales/ads/campaign_rows_json.hpp"

#include <libpq-fe.h>

#include <string_view>

#include "promptsales/ads/campaign.hpp"
#include "promptsales/common/db/text_array.hpp"
#include "promptsales/common/json_escape.hpp"
#include "promptsales/common/time.hpp"

namespace promptsales::ads {
namespace {

// Column numbers of list_sql's select list.
enum Column : int {
  kId,
  kOrganizationId,
  kName,
  kDescription,
  kStatus,
  kEnabled,
  kDeleted,
  kBudget,
  kCurrency,
  kChannels,
  kStartsAt,
  kEndsAt,
  kChecksum,
  kCreatedAt,
  kUpdatedAt,
};

/// The value as text; a NULL reads as "" (as pqxx's c_str() did).
std::string_view text(const PGresult* r, int row, Column column) {
  return {PQgetvalue(r, row, column), static_cast<std::size_t>(PQgetlength(r, row, column))};
}

/// Every step below mirrors append_campaign_json() on the Campaign that
/// from_row() would have built, so the bytes are the same.
void append_row(std::string& out, const PGresult* r, int row, std::string& scratch) {
  out += "{\"id\":";
  out += text(r, row, kId);  // bigint text is what std::to_string prints
  out += ",\"organizationId\":";
  out += text(r, row, kOrganizationId);
  out += ",\"name\":";
  append_json_string(out, text(r, row, kName));
  out += ",\"description\":";
  append_json_string(out, text(r, row, kDescription));
  out += ",\"status\":\"";
  out += to_string(status_from_string(text(r, row, kStatus)).value_or(CampaignStatus::draft));
  out += "\",\"enabled\":";
  out += text(r, row, kEnabled).substr(0, 1) == "t" ? "true" : "false";
  out += ",\"deleted\":";
  out += text(r, row, kDeleted).substr(0, 1) == "t" ? "true" : "false";
  out += ",\"budget\":";
  out += text(r, row, kBudget);  // numeric(14,2) text is a valid JSON number
  out += ",\"currency\":";
  append_json_string(out, text(r, row, kCurrency));
  out += ",\"channels\":[";
  bool first = true;
  db::for_each_text_array_element(text(r, row, kChannels), scratch, [&](std::string_view element) {
    if (!first) out.push_back(',');
    first = false;
    append_json_string(out, element);
  });
  for (const Column column : {kStartsAt, kEndsAt}) {
    out += column == kStartsAt ? "],\"startsAt\":" : ",\"endsAt\":";
    if (PQgetisnull(r, row, column)) {
      out += "null";
    } else {
      scratch.clear();
      append_pg_timestamp_iso(scratch, text(r, row, column));
      append_json_string(out, scratch);
    }
  }
  out += ",\"checksum\":\"";
  out += text(r, row, kChecksum);
  out += "\",\"createdAt\":\"";
  append_pg_timestamp_iso(out, text(r, row, kCreatedAt));
  out += "\",\"updatedAt\":\"";
  append_pg_timestamp_iso(out, text(r, row, kUpdatedAt));
  out += "\"}";
}

}  // namespace

void append_campaign_rows_json(std::string& out, const pg_result* result) {
  const int rows = PQntuples(result);
  std::string scratch;
  out.push_back('[');
  for (int row = 0; row < rows; ++row) {
    if (row > 0) out.push_back(',');
    append_row(out, result, row, scratch);
  }
  out.push_back(']');
}

std::string campaign_rows_to_json(const pg_result* result) {
  // About 500 bytes per campaign on the portal's data: one allocation per page.
  std::string out;
  out.reserve(64 + static_cast<std::size_t>(PQntuples(result)) * 640);
  append_campaign_rows_json(out, result);
  return out;
}

}  // namespace promptsales::ads
