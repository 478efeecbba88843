#include "promptsales/common/db/binary_copy.hpp"

#include <libpq-fe.h>

#include <cstdlib>
#include <optional>
#include <type_traits>

#include <pqxx/pqxx>

namespace promptsales::db {
namespace copy_binary {
namespace {

// PostgreSQL's epochs: dates count days and timestamps microseconds from
// 2000-01-01 (UTC), not from 1970.
constexpr std::int64_t kPgEpochDays = 10957;  // 1970-01-01 .. 2000-01-01
constexpr std::int64_t kPgEpochMicros = kPgEpochDays * 86400LL * 1000000LL;
constexpr std::int32_t kTextOid = 25;

template <class T>
void append_be(std::string& out, T v) {
  using U = std::make_unsigned_t<T>;
  auto u = static_cast<U>(v);
  char bytes[sizeof(T)];
  for (std::size_t i = sizeof(T); i-- > 0;) {
    bytes[i] = static_cast<char>(u & 0xffU);
    u = static_cast<U>(u >> 8);
  }
  out.append(bytes, sizeof(T));
}

int two_digits(std::string_view s, std::size_t at) { return (s[at] - '0') * 10 + (s[at + 1] - '0'); }

}  // namespace

void append_i16(std::string& out, std::int16_t v) { append_be(out, v); }
void append_i32(std::string& out, std::int32_t v) { append_be(out, v); }
void append_i64(std::string& out, std::int64_t v) { append_be(out, v); }

void append_null(std::string& out) { append_i32(out, -1); }

void append_bytes(std::string& out, std::string_view bytes) {
  append_i32(out, static_cast<std::int32_t>(bytes.size()));
  out.append(bytes);
}

void append_int8(std::string& out, std::int64_t v) {
  append_i32(out, 8);
  append_i64(out, v);
}

void append_int2(std::string& out, std::int16_t v) {
  append_i32(out, 2);
  append_i16(out, v);
}

void append_bool(std::string& out, bool v) {
  append_i32(out, 1);
  out.push_back(v ? '\1' : '\0');
}

void append_text_array(std::string& out, const std::vector<std::string>& items) {
  // ndim, has-nulls flag, element type; then per dimension its length and
  // lower bound; then the elements. An empty array has no dimensions.
  std::size_t size = 12 + (items.empty() ? 0 : 8);
  for (const auto& s : items) size += 4 + s.size();
  append_i32(out, static_cast<std::int32_t>(size));
  append_i32(out, items.empty() ? 0 : 1);
  append_i32(out, 0);
  append_i32(out, kTextOid);
  if (!items.empty()) {
    append_i32(out, static_cast<std::int32_t>(items.size()));
    append_i32(out, 1);
  }
  for (const auto& s : items) append_bytes(out, s);
}

std::int64_t days_from_civil(int year, int month, int day) {
  // Howard Hinnant's algorithm: exact for every proleptic Gregorian date.
  const std::int64_t y = year - (month <= 2 ? 1 : 0);
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void append_date(std::string& out, std::string_view d) {
  const int year = two_digits(d, 0) * 100 + two_digits(d, 2);
  const auto days = days_from_civil(year, two_digits(d, 5), two_digits(d, 8)) - kPgEpochDays;
  append_i32(out, 4);
  append_i32(out, static_cast<std::int32_t>(days));
}

void append_timestamptz(std::string& out, std::int64_t unix_micros) { append_int8(out, unix_micros - kPgEpochMicros); }

}  // namespace copy_binary

namespace {

// libpqxx 6.4 hands its PGconn only to large objects: a subclass may ask.
struct RawConnection : pqxx::largeobject {
  static pg_conn* of(const pqxx::dbtransaction& tx) { return raw_connection(tx); }
};

constexpr char kHeader[] = "PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0";  // signature, flags, extension length

[[noreturn]] void throw_for(const std::string& message, const std::string& query, const std::string& state) {
  const char* s = state.c_str();
  if (state == "23505") throw pqxx::unique_violation(message, query, s);
  if (state == "23514") throw pqxx::check_violation(message, query, s);
  if (state == "23502") throw pqxx::not_null_violation(message, query, s);
  if (state == "23503") throw pqxx::foreign_key_violation(message, query, s);
  if (state.rfind("23", 0) == 0) throw pqxx::integrity_constraint_violation(message, query, s);
  if (state.rfind("22", 0) == 0) throw pqxx::data_exception(message, query, s);
  throw pqxx::sql_error(message, query, s);
}

}  // namespace

BinaryCopyIn::BinaryCopyIn(pqxx::dbtransaction& tx, std::string_view table, const std::vector<std::string>& columns)
    : conn_(RawConnection::of(tx)) {
  statement_ = "COPY " + tx.quote_name(std::string(table)) + " (";
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (i) statement_ += ", ";
    statement_ += tx.quote_name(columns[i]);
  }
  statement_ += ") FROM STDIN (FORMAT binary)";
  tx.exec(statement_);  // the server now waits for data
  write(std::string_view(kHeader, sizeof kHeader - 1));
}

BinaryCopyIn::~BinaryCopyIn() {
  if (!open_) return;
  // Abandoned (an exception is on its way): the server ends the COPY with
  // an error, which the transaction's rollback then clears.
  PQputCopyEnd(conn_, "COPY abandoned by the client");
  while (PGresult* r = PQgetResult(conn_)) PQclear(r);
}

void BinaryCopyIn::write(std::string_view rows) {
  if (rows.empty()) return;
  if (PQputCopyData(conn_, rows.data(), static_cast<int>(rows.size())) == 1) return;
  // Either the connection broke or the server already refused the data
  // (libpq then has its error waiting): report the server's reason.
  open_ = false;
  results();
  throw pqxx::broken_connection(std::string("COPY failed: ") + PQerrorMessage(conn_));
}

std::uint64_t BinaryCopyIn::finish() {
  std::string trailer;
  copy_binary::append_i16(trailer, -1);
  write(trailer);
  open_ = false;
  if (PQputCopyEnd(conn_, nullptr) != 1) {
    results();
    throw pqxx::broken_connection(std::string("COPY failed: ") + PQerrorMessage(conn_));
  }
  return results();
}

std::uint64_t BinaryCopyIn::results() {
  std::uint64_t rows = 0;
  std::optional<std::pair<std::string, std::string>> error;  // message, SQLSTATE
  while (PGresult* r = PQgetResult(conn_)) {
    if (PQresultStatus(r) == PGRES_COMMAND_OK) {
      rows = std::strtoull(PQcmdTuples(r), nullptr, 10);
    } else if (!error && PQresultStatus(r) == PGRES_FATAL_ERROR) {
      const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
      error.emplace(PQresultErrorMessage(r), state ? state : "");
    }
    PQclear(r);
  }
  if (error) {
    if (error->second.empty() || PQstatus(conn_) != CONNECTION_OK) throw pqxx::broken_connection(error->first);
    throw_for(error->first, statement_, error->second);
  }
  return rows;
}

}  // namespace promptsales::db
