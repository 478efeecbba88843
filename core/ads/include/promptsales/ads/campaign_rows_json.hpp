#pragma once
/// The campaign page's JSON written straight from a libpq result: no
/// pqxx::field, no Campaign, no per-row strings. Byte-identical to
/// campaigns_to_json(list(...)) for the same rows (tested against it).

#include <string>

struct pg_result;  // libpq's PGresult

namespace promptsales::ads {

/// Appends the rows of `result` as a JSON array of campaigns. The columns
/// must be those of the list statements (list_sql), in that order.
void append_campaign_rows_json(std::string& out, const pg_result* result);
/// The same, as a new string reserved for the whole page.
std::string campaign_rows_to_json(const pg_result* result);

}  // namespace promptsales::ads
