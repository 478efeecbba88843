#pragma once
/// The session settings of every promptsales database connection, shared by
/// the blocking pool (db::Pool) and the event-loop connections (db::AsyncPg)
/// so the two paths format timestamps identically.

#include <chrono>
#include <string>
#include <string_view>

namespace promptsales::db {

/// "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET application_name =
/// <quoted>; SET statement_timeout = <ms>". `quoted_application_name` must
/// already be an SQL string literal (quotes included, escaped by the driver).
std::string session_setup_sql(std::string_view quoted_application_name, std::chrono::milliseconds statement_timeout);

}  // namespace promptsales::db
