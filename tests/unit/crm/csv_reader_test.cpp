// The streaming CSV reader: RFC 4180 quoting, line ends, delimiters, the
// errors it reports and how it resynchronises, encodings and chunk edges.

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "promptsales/crm/csv_reader.hpp"

using namespace promptsales::crm;

namespace {

struct Row {
  std::size_t line;
  std::vector<std::string> fields;
  std::string error;  // code, empty when none
};

std::vector<Row> read_all(const std::string& text, CsvOptions options = {}) {
  CsvReader reader(memory_input(text), options);
  std::vector<Row> rows;
  CsvRecord rec;
  while (reader.next(rec)) {
    Row r{rec.line, {}, rec.error ? rec.error->code : ""};
    for (auto f : rec.fields) r.fields.emplace_back(f);
    rows.push_back(std::move(r));
  }
  return rows;
}

using Fields = std::vector<std::string>;

}  // namespace

TEST_CASE("csv reads plain records with their starting lines") {
  const auto rows = read_all("a,b,c\n1,2,3\n4,,6\n");
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].fields == Fields{"a", "b", "c"});
  CHECK(rows[1].fields == Fields{"1", "2", "3"});
  CHECK(rows[2].fields == Fields{"4", "", "6"});
  CHECK(rows[2].line == 3);
}

TEST_CASE("csv handles quoted commas, doubled quotes and line breaks") {
  const auto rows = read_all("a,b\n\"x, y\",\"say \"\"hi\"\"\"\n\"multi\nline\",z\nlast,row\n");
  REQUIRE(rows.size() == 4);
  CHECK(rows[1].fields == Fields{"x, y", "say \"hi\""});
  CHECK(rows[2].fields == Fields{"multi\nline", "z"});
  CHECK(rows[2].line == 3);
  CHECK(rows[3].line == 5);  // the quoted line break counts as a physical line
}

TEST_CASE("csv handles CRLF, a missing final line break, blank lines and a BOM") {
  const auto rows = read_all("\xEF\xBB\xBF" "a,b\r\n\r\n1,\"2\"\r\n\n3,4");
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].fields == Fields{"a", "b"});
  CHECK(rows[1].fields == Fields{"1", "2"});
  CHECK(rows[1].line == 3);
  CHECK(rows[2].fields == Fields{"3", "4"});
  CHECK(rows[2].line == 5);
}

TEST_CASE("csv detects the delimiter from the header line or takes the one given") {
  CHECK(read_all("a;b;c\n1;2,5;3\n")[1].fields == Fields{"1", "2,5", "3"});
  CHECK(read_all("a\tb\n1\t2\n")[1].fields == Fields{"1", "2"});
  // A quoted header cell holding semicolons does not fool the detection.
  CHECK(read_all("\"x;y;z\",b\n1,2\n")[1].fields == Fields{"1", "2"});
  CsvOptions o;
  o.delimiter = '|';
  CHECK(read_all("a|b\n1|2\n", o)[1].fields == Fields{"1", "2"});
  CsvReader r(memory_input("a;b,c;d\n"));
  CHECK(r.delimiter() == ';');
}

TEST_CASE("csv reports bad quoting and resynchronises at the next line") {
  const auto rows = read_all("a,b\nok,1\nbro\"ken,2\n\"closed\"junk,3\nfine,4\n");
  REQUIRE(rows.size() == 5);
  CHECK(rows[2].error == "bad_quoting");
  CHECK(rows[2].line == 3);
  CHECK(rows[3].error == "bad_quoting");
  CHECK(rows[3].line == 4);
  CHECK(rows[4].fields == Fields{"fine", "4"});
  CHECK(rows[4].line == 5);
}

TEST_CASE("csv reports the field and a value snippet with a quoting error") {
  CsvReader reader(memory_input("a,b,c\nx,y\"z,w\n"));
  CsvRecord rec;
  REQUIRE(reader.next(rec));
  REQUIRE(reader.next(rec));
  REQUIRE(rec.error);
  CHECK(rec.error_field == 1);
  CHECK(rec.error->line == 2);
  CHECK(rec.error->value == "x,y\"");
}

TEST_CASE("csv: an unterminated quote is one error and the swallowed rows are still read") {
  const auto rows = read_all("a,b\n1,\"open\n2,two\n3,three\n");
  REQUIRE(rows.size() == 4);
  CHECK(rows[1].error == "unterminated_quote");
  CHECK(rows[1].line == 2);
  CHECK(rows[2].fields == Fields{"2", "two"});
  CHECK(rows[2].line == 3);
  CHECK(rows[3].line == 4);
}

TEST_CASE("csv skips a record over the size limit without losing the next ones") {
  CsvOptions o;
  o.max_record_bytes = 1000;
  o.chunk_bytes = 256;  // many refills while skipping
  const std::string big(5000, 'x');
  const auto rows = read_all("a,b\n1," + big + "\n2,ok\n3,\"" + big + "\nstill quoted\",x\n4,end\n", o);
  REQUIRE(rows.size() == 5);
  CHECK(rows[1].error == "record_too_large");
  CHECK(rows[2].fields == Fields{"2", "ok"});
  CHECK(rows[3].error == "record_too_large");
  CHECK(rows[3].line == 4);
  CHECK(rows[4].fields == Fields{"4", "end"});
  CHECK(rows[4].line == 6);
}

TEST_CASE("csv gives the same records whatever the chunk size") {
  std::string text = "email,name,notes\n";
  for (int i = 0; i < 200; ++i) {
    text += "user" + std::to_string(i) + "@example.com,\"Name, " + std::to_string(i) + "\",\"a \"\"q\"\"\r\nb\"\r\n";
  }
  text += "bad\"row,1,2\nlast@example.com,x,y";
  const auto reference = read_all(text);
  REQUIRE(reference.size() == 203);
  CHECK(reference[200].fields[2] == "a \"q\"\r\nb");
  for (std::size_t chunk : {1u, 2u, 3u, 7u, 64u, 4096u}) {
    CsvOptions o;
    o.chunk_bytes = chunk;
    const auto rows = read_all(text, o);
    REQUIRE(rows.size() == reference.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
      CHECK(rows[i].line == reference[i].line);
      CHECK(rows[i].fields == reference[i].fields);
      CHECK(rows[i].error == reference[i].error);
    }
  }
}

TEST_CASE("csv refuses invalid UTF-8 as a whole-file error naming the line and offset") {
  CsvReader reader(memory_input("a,b\n1,ok\n2,caf\xE9\n"));
  CsvRecord rec;
  try {
    while (reader.next(rec)) {
    }
    FAIL("no error");
  } catch (const ImportFileError& e) {
    CHECK(e.error().code == "not_utf8");
    CHECK(e.error().line == 3);
    CHECK_THAT(e.error().message, Catch::Contains("byte offset 14") && Catch::Contains("iconv -f latin1 -t utf-8") &&
                                      Catch::Contains("0xE9"));
  }
}

TEST_CASE("csv refuses UTF-16, NUL bytes, overlong forms and a truncated final character") {
  auto code_of = [](const std::string& text) {
    try {
      CsvReader reader(memory_input(text));
      CsvRecord rec;
      while (reader.next(rec)) {
      }
      return std::string("none");
    } catch (const ImportFileError& e) {
      return e.error().code + ":" + std::to_string(e.error().line);
    }
  };
  CHECK(code_of(std::string("\xFF\xFE" "a\0,\0", 6)) == "not_utf8:0");
  CHECK(code_of(std::string("a,b\n1,\0\n", 8)) == "not_utf8:2");
  CHECK(code_of("a,b\n\xC0\xAF,1\n") == "not_utf8:2");
  CHECK(code_of("a,b\n1,\xE2\x82") == "not_utf8:2");
  CHECK(code_of("a,b\n1,\xE2\x82\xAC\xF0\x9F\x98\x80\n") == "none");  // euro sign and an emoji
}

TEST_CASE("csv refuses input over the byte limit") {
  CsvOptions o;
  o.max_bytes = 100;
  o.chunk_bytes = 32;
  std::string text = "a,b\n";
  while (text.size() < 500) text += "1,2\n";
  try {
    read_all(text, o);
    FAIL("no error");
  } catch (const ImportFileError& e) {
    CHECK(e.error().code == "too_large");
  }
}

TEST_CASE("csv: a record over the limit is record_too_large even when it also has bad quoting") {
  // Found by lead_csv_fuzz: which error won depended on where a chunk ended.
  const std::string line = "email,n" + std::string(60, 'J') + "a\",x\nok,1\n";
  for (std::size_t chunk : {3u, 4096u}) {
    CsvOptions o;
    o.max_record_bytes = 64;
    o.chunk_bytes = chunk;
    const auto rows = read_all(line, o);
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].error == "record_too_large");
    CHECK(rows[1].fields == Fields{"ok", "1"});
  }
}

TEST_CASE("csv: the delimiter of an oversized header does not depend on the chunk size") {
  // Found by lead_csv_fuzz: commas past the record limit swayed the choice.
  const std::string text = "a;b;" + std::string(70, 'K') + ",c,d,e,f\nx;y,z\n";
  for (std::size_t chunk : {3u, 4096u}) {
    CsvOptions o;
    o.max_record_bytes = 64;
    o.chunk_bytes = chunk;
    const auto rows = read_all(text, o);
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].error == "record_too_large");
    CHECK(rows[1].fields == Fields{"x", "y,z"});
  }
}

TEST_CASE("csv: the value of a quoting error never ends inside a character") {
  // Found by lead_csv_fuzz: text after a closing quote starting with a BOM.
  CsvReader reader(memory_input("a,b\n\"x\"\xEF\xBB\xBFy,1\n"));
  CsvRecord rec;
  REQUIRE(reader.next(rec));
  REQUIRE(reader.next(rec));
  REQUIRE(rec.error);
  CHECK(rec.error->value == "\"x\"\xEF\xBB\xBF");
}

TEST_CASE("csv: a quoted line break in the header does not cut the delimiter detection short") {
  // Found by lead_csv_fuzz: reading stopped at the first line break, even a quoted one.
  const std::string text = "a;b;c,\"x\ny\",d\n1;2\n";
  for (std::size_t chunk : {3u, 4096u}) {
    CsvOptions o;
    o.chunk_bytes = chunk;
    CsvReader reader(memory_input(text), o);
    CHECK(reader.delimiter() == ',');  // two commas outside quotes, two semicolons: the comma wins the tie
  }
}
