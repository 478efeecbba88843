#include "promptsales/common/db/statement_stats.hpp"

#include <pqxx/pqxx>

#include "promptsales/common/db/errors.hpp"
#include "promptsales/common/errors.hpp"

namespace promptsales::db {
namespace {

// Column names are fixed strings chosen here, never user input, so the
// ORDER BY is safe to splice; everything else is a parameter.
std::string_view order_column(StatementOrder order) {
  switch (order) {
    case StatementOrder::total_time: return "s.total_exec_time";
    case StatementOrder::mean_time: return "s.mean_exec_time";
    case StatementOrder::calls: return "s.calls";
    case StatementOrder::rows: return "s.rows";
  }
  return "s.total_exec_time";
}

void require_extension(pqxx::connection& conn) {
  pqxx::read_transaction tx(conn);
  const auto installed = tx.exec1("SELECT count(*) FROM pg_extension WHERE extname = 'pg_stat_statements'")[0].as<int>();
  if (installed == 0) {
    throw ConfigError("pg_stat_statements is not installed in database \"" + std::string(conn.dbname()) +
                      "\": run CREATE EXTENSION pg_stat_statements there (as a superuser), with "
                      "shared_preload_libraries = 'pg_stat_statements' in postgresql.conf");
  }
}

}  // namespace

StatementOrder parse_statement_order(std::string_view text) {
  if (text == "total") return StatementOrder::total_time;
  if (text == "mean") return StatementOrder::mean_time;
  if (text == "calls") return StatementOrder::calls;
  if (text == "rows") return StatementOrder::rows;
  throw ValidationError("--order-by", "expected total, mean, calls or rows, got \"" + std::string(text) + "\"");
}

std::string_view statement_order_name(StatementOrder order) {
  switch (order) {
    case StatementOrder::total_time: return "total";
    case StatementOrder::mean_time: return "mean";
    case StatementOrder::calls: return "calls";
    case StatementOrder::rows: return "rows";
  }
  return "total";
}

double StatementStat::cache_hit_ratio() const noexcept {
  const auto touched = shared_blocks_hit + shared_blocks_read;
  return touched == 0 ? 1.0 : static_cast<double>(shared_blocks_hit) / static_cast<double>(touched);
}

std::vector<StatementStat> top_statements(pqxx::connection& conn, const StatementStatsQuery& query) {
  if (query.top < 1 || query.top > 1000) {
    throw ValidationError("--top", "expected 1..1000, got " + std::to_string(query.top));
  }
  try {
    require_extension(conn);
    pqxx::read_transaction tx(conn);
    const std::string sql =
        "SELECT coalesce(d.datname, ''), coalesce(r.rolname, ''), coalesce(s.query, ''), s.calls, "
        "       s.total_exec_time, s.mean_exec_time, s.max_exec_time, s.rows, s.shared_blks_hit, s.shared_blks_read "
        "FROM pg_stat_statements s "
        "LEFT JOIN pg_database d ON d.oid = s.dbid "
        "LEFT JOIN pg_roles r ON r.oid = s.userid "
        "WHERE ($1::text IS NULL OR d.datname = $1::text) "
        "ORDER BY " + std::string(order_column(query.order)) + " DESC, s.queryid "
        "LIMIT $2";
    const auto result = tx.exec_params(sql, query.database, query.top);
    std::vector<StatementStat> out;
    out.reserve(result.size());
    for (const auto& row : result) {
      StatementStat s;
      s.database = row[0].as<std::string>();
      s.user = row[1].as<std::string>();
      s.query = row[2].as<std::string>();
      s.calls = row[3].as<std::int64_t>();
      s.total_ms = row[4].as<double>();
      s.mean_ms = row[5].as<double>();
      s.max_ms = row[6].as<double>();
      s.rows = row[7].as<std::int64_t>();
      s.shared_blocks_hit = row[8].as<std::int64_t>();
      s.shared_blocks_read = row[9].as<std::int64_t>();
      out.push_back(std::move(s));
    }
    return out;
  } catch (const Error&) {
    throw;
  } catch (const pqxx::sql_error& e) {
    // Installed but not preloaded: the view exists and refuses to be read.
    if (std::string_view(e.what()).find("shared_preload_libraries") != std::string_view::npos) {
      throw ConfigError("pg_stat_statements is installed but not loaded: add it to shared_preload_libraries "
                        "in postgresql.conf and restart the server");
    }
    rethrow_translated();
  } catch (...) {
    rethrow_translated();
  }
}

std::string one_line(std::string_view query, std::size_t width) {
  std::string out;
  out.reserve(std::min(query.size(), width + 3));
  bool space = false;
  for (const char c : query) {
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
    if (out.size() > width) {
      out.resize(width);
      // Never leave half a UTF-8 character before the ellipsis.
      while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80) out.pop_back();
      if (!out.empty() && static_cast<unsigned char>(out.back()) >= 0xC0) out.pop_back();
      out += "...";
      return out;
    }
  }
  return out;
}

}  // namespace promptsales::db
