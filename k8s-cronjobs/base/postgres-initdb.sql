-- Runs once, when the postgres image initializes an empty data directory.
-- pg_stat_statements is preloaded by the StatefulSet's arguments; the
-- extension makes its view queryable (slow query reviews, BENCHMARKS.md).
CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
