#pragma once
/// ISO-8601 timestamps as the API and the CLI exchange them.

#include <optional>
#include <string>
#include <string_view>

namespace promptsales {

/// Parses "2026-03-01", "2026-03-01T10:00", "2026-03-01T10:00:00Z",
/// "2026-03-01T10:00:00.123+02:00" (space instead of T accepted) and returns
/// the instant normalized to UTC as "YYYY-MM-DDTHH:MM:SS.mmmZ"; nullopt if
/// the text is not a valid timestamp.
std::optional<std::string> normalize_iso8601(std::string_view text);

/// PostgreSQL's ISO output in UTC ("2026-03-01 10:00:00.123456+00") to the
/// API form ("2026-03-01T10:00:00.123Z"). Cheap: used per row on hot paths.
std::string pg_timestamp_to_iso(std::string_view pg);
/// The same, appended to `out` (no temporary string: the campaign page's
/// rows are written straight into the response body).
void append_pg_timestamp_iso(std::string& out, std::string_view pg);

/// Seconds since the epoch of a normalized timestamp.
long long iso8601_to_unix(std::string_view normalized);

/// Seconds since the epoch (and milliseconds) in the API form.
std::string format_iso8601_utc(long long unix_seconds, int millis);

/// The current time in the API form.
std::string now_iso8601();

}  // namespace promptsales
