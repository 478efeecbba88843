#pragma once
/// Helpers for libpq connection strings, in URI form
/// (postgresql://user@host:port/db?opt=v) and key/value form (host=.. dbname=..).

#include <string>
#include <string_view>

namespace promptsales::db {

/// The database name a connection string points at ("" if none is given).
std::string database_name(std::string_view url);

/// The same server and credentials, another database.
std::string with_database(std::string_view url, std::string_view database);

/// A location from the sub-company registry resolved against the control
/// database's URL: a full URL is used as is; a bare name is a database on
/// the control server; `{control}` in a name stands for the control
/// database's name (so test and staging installations stay separate).
std::string resolve_location(std::string_view location, std::string_view control_url);

/// PostgreSQL identifiers we create (databases) must be plain names.
bool is_plain_identifier(std::string_view name);

}  // namespace promptsales::db
