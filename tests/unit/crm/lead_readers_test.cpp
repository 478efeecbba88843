// CsvLeadSource, JsonlLeadSource, open_lead_source and scan_import_file,
// over the malformed-file corpus in tests/data/leads/ and generated files.

#include <catch2/catch.hpp>

#include <fstream>
#include <string>
#include <vector>

#include "promptsales/common/errors.hpp"
#include "promptsales/crm/lead_readers.hpp"
#include "temp_dir.hpp"

using namespace promptsales::crm;

namespace {

std::string corpus(const std::string& name) { return std::string(PROMPTSALES_SOURCE_DIR) + "/tests/data/leads/" + name; }

LeadReadOptions opts() {
  LeadReadOptions o;
  o.organization_id = 3;
  o.default_country = "ES";
  o.today = "2024-06-15";
  return o;
}

std::vector<ReadRecord> read_all(LeadSource& source) {
  std::vector<ReadRecord> out;
  ReadRecord r;
  std::size_t last_line = 0;
  while (source.next(r)) {
    CHECK(r.line > last_line);                 // increasing lines
    CHECK(r.lead.has_value() != !r.errors.empty());  // a lead or errors, never both
    last_line = r.line;
    out.push_back(r);
  }
  return out;
}

std::vector<ReadRecord> read_file(const std::string& path, LeadReadOptions o = opts(),
                                  LeadFileFormat f = LeadFileFormat::automatic) {
  auto source = open_lead_source(path, f, o);
  return read_all(*source);
}

std::string file_error_code(const std::string& path, LeadReadOptions o = opts()) {
  try {
    read_file(path, o);
    return "none";
  } catch (const ImportFileError& e) {
    return e.error().code;
  }
}

std::string codes(const ReadRecord& r) {
  std::string out;
  for (const auto& e : r.errors) out += (out.empty() ? "" : ",") + e.code;
  return out;
}

}  // namespace

TEST_CASE("corpus: a Spanish Excel export with semicolons, accents and Spanish values") {
  const auto rows = read_file(corpus("spanish_semicolon.csv"));
  REQUIRE(rows.size() == 3);
  REQUIRE(rows[0].lead);
  const LeadInput& ana = *rows[0].lead;
  CHECK(rows[0].line == 2);
  CHECK(ana.organization_id == 3);
  CHECK(ana.email == "ana.garcia@example.com");
  CHECK(ana.name == "Ana García López");
  CHECK(ana.phone == "+34600111222");
  CHECK(ana.country == "ES");
  CHECK(ana.city == "Málaga");
  CHECK(ana.interests == std::vector<std::string>{"fútbol", "viajes"});
  CHECK(ana.birth_date == "1990-05-17");
  CHECK(ana.consents.email);
  CHECK(ana.status == LeadStatus::new_);
  CHECK(ana.campaign_id == 12);
  // Luis: 30 February.
  CHECK_FALSE(rows[1].lead);
  REQUIRE(rows[1].errors.size() == 1);
  CHECK(rows[1].errors[0].code == "invalid_date");
  CHECK(rows[1].errors[0].column == "Fecha de nacimiento");
  CHECK(rows[1].errors[0].value == "1985-02-30");
  CHECK(rows[1].errors[0].line == 3);
  REQUIRE(rows[2].lead);
  CHECK(rows[2].lead->country == "FR");
  CHECK(rows[2].lead->status == LeadStatus::qualified);
  CHECK_FALSE(rows[2].lead->phone);
}

TEST_CASE("corpus: bad quoting rows are reported and the good rows still read") {
  const auto rows = read_file(corpus("bad_quoting.csv"));
  REQUIRE(rows.size() == 5);
  CHECK(rows[0].lead);
  CHECK(codes(rows[1]) == "bad_quoting");
  CHECK(rows[1].errors[0].line == 3);
  CHECK(rows[1].errors[0].column == "name");
  CHECK(codes(rows[2]) == "bad_quoting");
  CHECK(rows[3].lead);
  CHECK(rows[3].lead->email == "dani@example.com");
  CHECK(codes(rows[4]) == "unterminated_quote");
  CHECK(rows[4].line == 6);
}

TEST_CASE("corpus: encodings (Latin-1, UTF-16) are refused as a whole") {
  try {
    read_file(corpus("latin1.csv"));
    FAIL("no error");
  } catch (const ImportFileError& e) {
    CHECK(e.error().code == "not_utf8");
    CHECK(e.error().line == 3);
    CHECK_THAT(e.error().message, Catch::Contains("line 3") && Catch::Contains("byte offset 70") &&
                                      Catch::Contains("iconv -f latin1 -t utf-8"));
  }
  CHECK(file_error_code(corpus("utf16.csv")) == "not_utf8");
  CHECK_THROWS_AS(scan_import_file(corpus("latin1.csv"), LeadFileFormat::automatic, opts()), ImportFileError);
}

TEST_CASE("corpus: empty file, header only, missing email column") {
  CHECK(file_error_code(corpus("empty.csv")) == "empty_file");
  CHECK(read_file(corpus("header_only.csv")).empty());
  CHECK(file_error_code(corpus("missing_email.csv")) == "missing_email_column");
}

TEST_CASE("corpus: CRLF with quoted doubled quotes, and a BOM before the header") {
  const auto rows = read_file(corpus("crlf.csv"));
  REQUIRE(rows.size() == 2);
  REQUIRE(rows[1].lead);
  CHECK(rows[1].lead->name == "Luis \"Lucho\" Gil");
  CHECK(rows[1].lead->phone == "+34600333444");
  CHECK(rows[0].lead->phone == "+34600111222");
  const auto bom = read_file(corpus("bom.csv"));
  REQUIRE(bom.size() == 1);
  CHECK(bom[0].lead->name == "Ana");  // "Email" matched despite the BOM
}

TEST_CASE("corpus: quoted line breaks keep the physical line numbers") {
  const auto rows = read_file(corpus("quoted_newlines.csv"));
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].line == 2);
  CHECK(rows[0].lead->name == "Ana\nMaría");
  CHECK(rows[1].line == 5);
}

TEST_CASE("corpus: JSONL with bad lines keeps reading") {
  const auto rows = read_file(corpus("leads_bad_lines.jsonl"));
  REQUIRE(rows.size() == 5);
  REQUIRE(rows[0].lead);
  CHECK(rows[0].lead->interests == std::vector<std::string>{"golf", "viajes"});
  CHECK(rows[0].lead->age == 34);
  CHECK(codes(rows[1]) == "invalid_json");
  CHECK(rows[1].line == 2);
  CHECK(codes(rows[2]) == "invalid_json");  // an array, not an object
  CHECK(rows[2].line == 4);
  REQUIRE(rows[3].lead);
  CHECK(rows[3].lead->email == "luis@example.com");
  CHECK(rows[3].lead->phone == "+34600111222");
  CHECK(rows[3].lead->consents.email);
  CHECK(codes(rows[4]) == "invalid_value");
  CHECK(rows[4].errors[0].column == "name");
}

TEST_CASE("a 1 MB field is a record_too_large row error and the rows after it are read") {
  promptsales::test::TempDir dir("leadread");
  std::string text = "email,name\nfirst@example.com,A\nbig@example.com,\"" + std::string(1u << 20, 'x') +
                     "\"\nafter@example.com,B\n";
  const auto path = dir.write("big.csv", text);
  const auto rows = read_file(path);
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].lead);
  CHECK(codes(rows[1]) == "record_too_large");
  CHECK(rows[1].line == 3);
  CHECK(rows[1].errors[0].value.size() == 200);
  REQUIRE(rows[2].lead);
  CHECK(rows[2].lead->email == "after@example.com");
  const auto check = scan_import_file(path, LeadFileFormat::automatic, opts());
  CHECK(check.records == 3);
}

TEST_CASE("rows over the limit: too_many_rows, from the reader and from the pre-pass") {
  promptsales::test::TempDir dir("leadread");
  std::string text = "email\n";
  for (int i = 0; i < 11; ++i) text += "u" + std::to_string(i) + "@example.com\n";
  const auto csv = dir.write("rows.csv", text);
  std::string jsonl;
  for (int i = 0; i < 11; ++i) jsonl += "{\"email\":\"u" + std::to_string(i) + "@example.com\"}\n";
  const auto jl = dir.write("rows.jsonl", jsonl);
  LeadReadOptions o = opts();
  o.max_rows = 10;
  CHECK(file_error_code(csv, o) == "too_many_rows");
  CHECK(file_error_code(jl, o) == "too_many_rows");
  CHECK_THROWS_AS(scan_import_file(csv, LeadFileFormat::automatic, o), ImportFileError);
  CHECK_THROWS_AS(scan_import_file(jl, LeadFileFormat::automatic, o), ImportFileError);
  o.max_rows = 11;
  CHECK(read_file(csv, o).size() == 11);
  CHECK(scan_import_file(jl, LeadFileFormat::automatic, o).records == 11);
}

TEST_CASE("the real row limit: 1,048,576 rows pass the pre-pass, one more is refused") {
  promptsales::test::TempDir dir("leadread");
  const auto path = (dir.path() / "max.csv").string();
  {
    std::ofstream out(path, std::ios::binary);
    out << "email\n";
    const std::string row = "a@example.com\n";
    for (std::size_t i = 0; i < kMaxImportRows; ++i) out << row;
  }
  CHECK(scan_import_file(path, LeadFileFormat::csv, opts()).records == kMaxImportRows);
  {
    std::ofstream out(path, std::ios::binary | std::ios::app);
    out << "b@example.com\n";
  }
  try {
    scan_import_file(path, LeadFileFormat::csv, opts());
    FAIL("no error");
  } catch (const ImportFileError& e) {
    CHECK(e.error().code == "too_many_rows");
    CHECK(e.error().line == kMaxImportRows + 2);
  }
}

TEST_CASE("files over the byte limit are refused: too_large") {
  promptsales::test::TempDir dir("leadread");
  std::string text = "email\n";
  while (text.size() < 4000) text += "someone@example.com\n";
  const auto path = dir.write("big.csv", text);
  LeadReadOptions o = opts();
  o.max_bytes = 1000;
  CHECK(file_error_code(path, o) == "too_large");
}

TEST_CASE("scan_import_file reports format, delimiter, headers and mapping without validating fields") {
  const auto check = scan_import_file(corpus("spanish_semicolon.csv"), LeadFileFormat::automatic, opts());
  CHECK(check.format == LeadFileFormat::csv);
  CHECK(check.delimiter == ';');
  CHECK(check.records == 3);  // the bad date is not looked at
  CHECK(check.headers.size() == 11);
  CHECK(check.unmapped.empty());
  CHECK(check.mapped[0] == std::pair<std::string, std::string>{"Correo electrónico", "email"});
  CHECK_THROWS_AS(scan_import_file(corpus("missing_email.csv"), LeadFileFormat::automatic, opts()), ImportFileError);
  CHECK_THROWS_AS(scan_import_file(corpus("empty.csv"), LeadFileFormat::automatic, opts()), ImportFileError);
  CHECK(scan_import_file(corpus("header_only.csv"), LeadFileFormat::automatic, opts()).records == 0);
  CHECK(scan_import_file(corpus("leads_bad_lines.jsonl"), LeadFileFormat::automatic, opts()).records == 5);
  CHECK_THROWS_AS(scan_import_file("-", LeadFileFormat::csv, opts()), promptsales::ValidationError);
}

TEST_CASE("the format is chosen by extension, else by content") {
  promptsales::test::TempDir dir("leadread");
  const auto jsonl = dir.write("leads.data", "\xEF\xBB\xBF  {\"email\":\"a@example.com\"}\n");
  const auto csv = dir.write("leads.data2", "email\na@example.com\n");
  CHECK(scan_import_file(jsonl, LeadFileFormat::automatic, opts()).format == LeadFileFormat::jsonl);
  CHECK(scan_import_file(csv, LeadFileFormat::automatic, opts()).format == LeadFileFormat::csv);
  CHECK(read_file(jsonl).at(0).lead->email == "a@example.com");
  CHECK(read_file(csv).at(0).lead->email == "a@example.com");
  CHECK(lead_file_format_from_string("jsonl") == LeadFileFormat::jsonl);
  CHECK_FALSE(lead_file_format_from_string("xml"));
}

TEST_CASE("CSV rows with the wrong number of fields are rejected and trailing empty fields are tolerated") {
  CsvLeadSource source(memory_input("email,name\na@example.com,A,\nb@example.com\nc@example.com,C,extra\n"), opts());
  const auto rows = read_all(source);
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].lead);
  CHECK(codes(rows[1]) == "wrong_field_count");
  CHECK(codes(rows[2]) == "wrong_field_count");
  CHECK(source.mapping().headers == std::vector<std::string>{"email", "name"});
}

TEST_CASE("map, delimiter and default country options reach the CSV source") {
  LeadReadOptions o = opts();
  o.map = {"Contacto=email", "Numero=phone"};
  o.delimiter = '|';
  o.default_country = "MX";
  CsvLeadSource source(memory_input("Contacto|Numero|Otro\nA@X.COM|55 1234 5678|z\n"), o);
  const auto rows = read_all(source);
  REQUIRE(rows.size() == 1);
  REQUIRE(rows[0].lead);
  CHECK(rows[0].lead->email == "a@x.com");
  CHECK(rows[0].lead->phone == "+525512345678");
  CHECK(source.mapping().unmapped == std::vector<std::string>{"Otro"});
}

TEST_CASE("bad options are ValidationErrors naming the flag") {
  LeadReadOptions o = opts();
  o.default_country = "XX";
  CHECK_THROWS_WITH(check_read_options(o), Catch::Contains("--default-country"));
  o = opts();
  o.delimiter = '"';
  CHECK_THROWS_WITH(check_read_options(o), Catch::Contains("--delimiter"));
  o = opts();
  o.map = {"nope"};
  CHECK_THROWS_AS(check_read_options(o), promptsales::ValidationError);
  CHECK_THROWS_AS(open_lead_source("/nonexistent/leads.csv", LeadFileFormat::csv, opts()), ImportFileError);
}

TEST_CASE("JSONL: keys map like headers, --map applies, the first key for a field wins") {
  LeadReadOptions o = opts();
  o.map = {"contact=email"};
  JsonlLeadSource source(
      memory_input("{\"contact\":\"A@example.com\",\"Teléfono\":600111222,\"edad\":40,\"consent_sms\":false,"
                   "\"tags\":\"x;y\",\"extra\":1,\"name\":null}\r\n{\"Email\":\"b@example.com\",\"correo\":\"c@example.com\"}"),
      o);
  const auto rows = read_all(source);
  REQUIRE(rows.size() == 2);
  REQUIRE(rows[0].lead);
  CHECK(rows[0].lead->email == "a@example.com");
  CHECK(rows[0].lead->phone == "+34600111222");
  CHECK(rows[0].lead->age == 40);
  CHECK(rows[0].lead->interests == std::vector<std::string>{"x", "y"});
  CHECK_FALSE(rows[0].lead->name);
  CHECK(rows[1].lead->email == "b@example.com");
  CHECK(source.unmapped_keys() == std::vector<std::string>{"extra"});
}

TEST_CASE("JSONL: a line over the record limit is skipped and blank files are empty") {
  LeadReadOptions o = opts();
  o.max_record_bytes = 100;
  JsonlLeadSource source(memory_input("{\"email\":\"" + std::string(5000, 'a') +
                                      "@example.com\"}\n{\"email\":\"ok@example.com\"}\n"),
                         o);
  const auto rows = read_all(source);
  REQUIRE(rows.size() == 2);
  CHECK(codes(rows[0]) == "record_too_large");
  CHECK(rows[1].line == 2);
  CHECK(rows[1].lead);
  JsonlLeadSource blank(memory_input("\n  \n"), opts());
  ReadRecord r;
  CHECK_THROWS_AS(blank.next(r), ImportFileError);
}

TEST_CASE("bytes_read reports progress") {
  const std::string text = "email\na@example.com\n";
  CsvLeadSource source(memory_input(text), opts());
  read_all(source);
  CHECK(source.bytes_read() == text.size());
}
