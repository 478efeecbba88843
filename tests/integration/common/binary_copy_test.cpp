// db::BinaryCopyIn and the copy_binary encoders against a real PostgreSQL:
// every value type the lead import sends reads back as sent, and a refused
// or abandoned COPY leaves the transaction usable after its savepoint.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "promptsales/common/db/binary_copy.hpp"
#include "test_env.hpp"

using namespace promptsales;
namespace cb = promptsales::db::copy_binary;

namespace {

constexpr const char* kTable =
    "CREATE TEMP TABLE copied (n bigint, s smallint, b boolean, raw bytea, t text, c char(2), a text[], d date, "
    "ts timestamptz)";

const std::vector<std::string> kColumns = {"n", "s", "b", "raw", "t", "c", "a", "d", "ts"};

struct Row {
  std::int64_t n;
  std::int16_t s;
  bool b;
  std::string raw;
  std::string t;
  std::string c;
  std::vector<std::string> a;
  std::string d;
  std::int64_t ts_micros;
};

void append(std::string& out, const Row& r) {
  cb::begin_row(out, 9);
  cb::append_int8(out, r.n);
  cb::append_int2(out, r.s);
  cb::append_bool(out, r.b);
  cb::append_bytes(out, r.raw);
  cb::append_bytes(out, r.t);
  cb::append_bytes(out, r.c);
  cb::append_text_array(out, r.a);
  cb::append_date(out, r.d);
  cb::append_timestamptz(out, r.ts_micros);
}

std::string as_text(pqxx::transaction_base& tx) {
  std::string out;
  for (const auto& r : tx.exec("SELECT n, s, b, encode(raw, 'hex'), t, c, a::text, d::text, "
                               "to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US'), "
                               "cardinality(a) FROM copied ORDER BY n")) {
    for (const auto& f : r) out += (f.is_null() ? std::string("NULL") : f.as<std::string>()) + "|";
    out += "\n";
  }
  return out;
}

}  // namespace

TEST_CASE("common: days_from_civil counts days from 1970-01-01 for every era", "[db]") {
  CHECK(cb::days_from_civil(1970, 1, 1) == 0);
  CHECK(cb::days_from_civil(2000, 1, 1) == 10957);
  CHECK(cb::days_from_civil(1969, 12, 31) == -1);
  CHECK(cb::days_from_civil(1900, 1, 1) == -25567);
  CHECK(cb::days_from_civil(2000, 2, 29) == 11016);
  CHECK(cb::days_from_civil(2100, 3, 1) - cb::days_from_civil(2100, 2, 28) == 1);  // 2100 is not a leap year
  CHECK(cb::days_from_civil(9999, 12, 31) == 2932896);
}

TEST_CASE("common: a binary COPY stores every value type as sent", "[db]") {
  pqxx::connection c(test::admin_database_url());
  pqxx::work tx(c);
  tx.exec(kTable);
  const std::string zeros("\0\1\0\xff", 4);
  std::string rows;
  append(rows, {-9007199254740993LL, -32768, true, zeros, "Ñandú \"q\" \\ tab\t\nline", "ES",
                {"a,b", "quote\"d", "back\\slash", "{brace}", "", "ñ"}, "1900-01-01", 0});
  append(rows, {1, 32767, false, "", "", "MX", {}, "2000-02-29", 1709251199123000LL});
  append(rows, {2, 0, true, std::string(300000, 'x'), std::string(70000, 'y'), "AR", {"one"}, "9999-12-31",
                -1});
  db::BinaryCopyIn copy(tx, "copied", kColumns);
  // Chunks need not end on row boundaries.
  copy.write(std::string_view(rows).substr(0, 7));
  copy.write(std::string_view(rows).substr(7));
  CHECK(copy.finish() == 3);

  const auto text = as_text(tx);
  CHECK(text.find("-9007199254740993|-32768|t|000100ff|Ñandú \"q\" \\ tab\t\nline|ES|"
                  "{\"a,b\",\"quote\\\"d\",\"back\\\\slash\",\"{brace}\",\"\",ñ}|1900-01-01|"
                  "1970-01-01 00:00:00.000000|6|\n") != std::string::npos);
  CHECK(text.find("1|32767|f|||MX|{}|2000-02-29|2024-02-29 23:59:59.123000|0|\n") != std::string::npos);
  CHECK(tx.exec("SELECT octet_length(raw), length(t), d, ts FROM copied WHERE n = 2")[0][2].as<std::string>() ==
        "9999-12-31");
  CHECK(tx.exec("SELECT to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') FROM copied WHERE n = 2")[0][0]
            .as<std::string>() == "1969-12-31 23:59:59.999999");
  CHECK(tx.exec("SELECT octet_length(raw) + length(t) FROM copied WHERE n = 2")[0][0].as<long>() == 370000);
}

TEST_CASE("common: NULLs in a binary COPY are NULLs", "[db]") {
  pqxx::connection c(test::admin_database_url());
  pqxx::work w(c);
  w.exec(kTable);
  std::string row;
  cb::begin_row(row, 9);
  for (int i = 0; i < 9; ++i) cb::append_null(row);
  db::BinaryCopyIn copy(w, "copied", kColumns);
  copy.write(row);
  CHECK(copy.finish() == 1);
  CHECK(w.exec("SELECT count(*) FROM copied WHERE num_nulls(n, s, b, raw, t, c, a, d, ts) = 9")[0][0].as<int>() == 1);
}

TEST_CASE("common: a binary COPY refused by a constraint throws its libpqxx exception and the savepoint recovers",
          "[db]") {
  pqxx::connection c(test::admin_database_url());
  pqxx::work tx(c);
  tx.exec("CREATE TEMP TABLE uniq (k bigint PRIMARY KEY, v text CHECK (v <> 'bad'))");
  auto rows_of = [](std::vector<std::pair<std::int64_t, std::string>> rows) {
    std::string out;
    for (const auto& [k, v] : rows) {
      cb::begin_row(out, 2);
      cb::append_int8(out, k);
      cb::append_bytes(out, v);
    }
    return out;
  };
  auto copy_in = [&](pqxx::dbtransaction& t, const std::string& rows) {
    db::BinaryCopyIn copy(t, "uniq", {"k", "v"});
    copy.write(rows);
    return copy.finish();
  };
  {
    pqxx::subtransaction sub(tx, "first");
    CHECK(copy_in(sub, rows_of({{1, "one"}, {2, "two"}})) == 2);
    sub.commit();
  }
  {
    pqxx::subtransaction sub(tx, "duplicate");
    CHECK_THROWS_AS(copy_in(sub, rows_of({{3, "three"}, {1, "again"}})), pqxx::unique_violation);
  }
  {
    pqxx::subtransaction sub(tx, "check");
    CHECK_THROWS_AS(copy_in(sub, rows_of({{4, "bad"}})), pqxx::check_violation);
  }
  {
    pqxx::subtransaction sub(tx, "encoding");
    try {
      copy_in(sub, rows_of({{5, std::string("\xff\xfe", 2)}}));
      FAIL("invalid UTF-8 was stored");
    } catch (const pqxx::sql_error& e) {
      CHECK(e.sqlstate() == "22021");  // character_not_in_repertoire
    }
  }
  {
    // Abandoned half way (an exception of the writer's own): the savepoint
    // rolls back and the transaction goes on.
    pqxx::subtransaction sub(tx, "abandoned");
    try {
      db::BinaryCopyIn copy(sub, "uniq", {"k", "v"});
      copy.write(rows_of({{6, "six"}}));
      throw std::runtime_error("the writer failed");
    } catch (const std::runtime_error&) {
    }
  }
  CHECK(tx.exec("SELECT string_agg(k::text, ',' ORDER BY k) FROM uniq")[0][0].as<std::string>() == "1,2");
  {
    pqxx::subtransaction sub(tx, "after");
    CHECK(copy_in(sub, rows_of({{7, "seven"}})) == 1);
    sub.commit();
  }
  tx.commit();
}

TEST_CASE("common: a binary COPY names a missing column the way an exec would", "[db]") {
  pqxx::connection c(test::admin_database_url());
  pqxx::work tx(c);
  tx.exec(kTable);
  CHECK_THROWS_AS(db::BinaryCopyIn(tx, "copied", {"n", "no_such_column"}), pqxx::undefined_column);
}
