#pragma once
/// COPY ... FROM STDIN (FORMAT binary) inside a libpqxx transaction.
///
/// Bulk writers use it instead of COPY's text format: the server reads
/// each value with the type's binary receive function (an int8 is 8 bytes,
/// a bytea its bytes) instead of parsing text, and bytea travels as bytes,
/// not hex. For the lead import that halved PostgreSQL's work per row
/// before indexes (BENCHMARKS.md, "Lead import").
///
/// Rows are built with the append_* functions below (big-endian, the
/// layout of https://www.postgresql.org/docs/15/sql-copy.html, "Binary
/// Format") and handed to BinaryCopyIn::write in chunks of any size.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pqxx {
class dbtransaction;
}
struct pg_conn;  // libpq's PGconn

namespace promptsales::db {

namespace copy_binary {

void append_i16(std::string& out, std::int16_t v);
void append_i32(std::string& out, std::int32_t v);
void append_i64(std::string& out, std::int64_t v);

/// Starts a row of `fields` values.
inline void begin_row(std::string& out, std::int16_t fields) { append_i16(out, fields); }

/// A NULL value.
void append_null(std::string& out);
/// A value given as its binary representation: bytea, or text (UTF-8).
void append_bytes(std::string& out, std::string_view bytes);
void append_int8(std::string& out, std::int64_t v);
void append_int2(std::string& out, std::int16_t v);
void append_bool(std::string& out, bool v);
/// A one-dimensional text[] (an empty vector is '{}').
void append_text_array(std::string& out, const std::vector<std::string>& items);
/// A date given as YYYY-MM-DD (already validated).
void append_date(std::string& out, std::string_view yyyy_mm_dd);
/// A timestamptz given as microseconds since 1970-01-01T00:00:00Z.
void append_timestamptz(std::string& out, std::int64_t unix_micros);

/// Days from 1970-01-01 to the given civil date (proleptic Gregorian).
std::int64_t days_from_civil(int year, int month, int day);

}  // namespace copy_binary

/// One COPY table (columns) FROM STDIN (FORMAT binary) in `tx`. The
/// constructor starts it and sends the header; write() sends rows; finish()
/// ends it and reports the server's verdict. Destroyed unfinished (an
/// exception on the way), it cancels the COPY, so the transaction (or its
/// savepoint) can be rolled back as usual.
class BinaryCopyIn {
 public:
  BinaryCopyIn(pqxx::dbtransaction& tx, std::string_view table, const std::vector<std::string>& columns);
  ~BinaryCopyIn();
  BinaryCopyIn(const BinaryCopyIn&) = delete;
  BinaryCopyIn& operator=(const BinaryCopyIn&) = delete;

  /// Sends whole rows (any number of them, built with copy_binary).
  void write(std::string_view rows);
  /// Ends the COPY; returns the rows stored. A refusal is thrown as
  /// libpqxx's exception for its SQLSTATE (pqxx::unique_violation for a
  /// unique constraint, ...), as an exec() would throw it.
  std::uint64_t finish();

 private:
  /// Reads the server's answers to the COPY: the rows stored, or throws.
  std::uint64_t results();

  pg_conn* conn_;  ///< the transaction's connection
  std::string statement_;
  bool open_ = true;
};

}  // namespace promptsales::db
