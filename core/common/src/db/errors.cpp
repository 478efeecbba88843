#include "promptsales/common/db/errors.hpp"

#include <pqxx/pqxx>

#include "promptsales/common/errors.hpp"

namespace promptsales::db {

void rethrow_translated() {
  try {
    throw;
  } catch (const promptsales::Error&) {
    throw;
  } catch (const pqxx::broken_connection& e) {
    throw Unavailable("database unavailable", e.what());
  } catch (const pqxx::in_doubt_error& e) {
    throw Unavailable("database connection lost during commit; the outcome is unknown", e.what());
  } catch (const pqxx::unique_violation& e) {
    throw Conflict("already exists", e.what());
  } catch (const pqxx::sql_error& e) {
    const std::string state = e.sqlstate();
    if (state == "57014") throw Unavailable("database query timed out", e.what());
    if (state.rfind("08", 0) == 0 || state == "57P01" || state == "57P03") {
      throw Unavailable("database unavailable", e.what());
    }
    if (state.rfind("23", 0) == 0 || state == "22001" || state == "22P02" || state == "22007") {
      throw ValidationError("", std::string("rejected by the database: ") + e.what());
    }
    throw;
  }
}

}  // namespace promptsales::db
