#pragma once
/// The heaviest statements of a PostgreSQL server, from pg_stat_statements:
/// what `promptsales db stats --top N` shows an operator chasing a slow
/// portal. Read-only; the extension must be preloaded and created (the
/// Kubernetes bundle and scripts/services.sh do both).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <pqxx/connection>

namespace promptsales::db {

enum class StatementOrder { total_time, mean_time, calls, rows };

/// Parses "total", "mean", "calls" or "rows"; ValidationError("--order-by") otherwise.
StatementOrder parse_statement_order(std::string_view text);
std::string_view statement_order_name(StatementOrder order);

struct StatementStatsQuery {
  int top = 10;                        ///< 1..1000
  StatementOrder order = StatementOrder::total_time;
  std::optional<std::string> database; ///< only statements run in this database
};

struct StatementStat {
  std::string database;
  std::string user;
  std::string query;          ///< normalised text ($1 for constants)
  std::int64_t calls = 0;
  double total_ms = 0;
  double mean_ms = 0;
  double max_ms = 0;
  std::int64_t rows = 0;
  std::int64_t shared_blocks_hit = 0;
  std::int64_t shared_blocks_read = 0;
  /// Share of shared blocks found in the buffer cache, 0..1 (1 if none touched).
  double cache_hit_ratio() const noexcept;
};

/// The `top` statements by `order`. ConfigError naming the database when
/// pg_stat_statements is not installed there or not preloaded.
std::vector<StatementStat> top_statements(pqxx::connection& conn, const StatementStatsQuery& query);

/// Collapses runs of whitespace and cuts to `width` characters (with "...")
/// so a multi-line statement fits one table row.
std::string one_line(std::string_view query, std::size_t width);

}  // namespace promptsales::db
