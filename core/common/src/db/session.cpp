#include "promptsales/common/db/session.hpp"

namespace promptsales::db {

std::string session_setup_sql(std::string_view quoted_application_name, std::chrono::milliseconds statement_timeout) {
  std::string sql = "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET application_name = ";
  sql += quoted_application_name;
  sql += "; SET statement_timeout = ";
  sql += std::to_string(statement_timeout.count());
  return sql;
}

}  // namespace promptsales::db
