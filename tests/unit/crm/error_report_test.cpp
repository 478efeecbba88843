// The error report: CSV quoting, formula neutralisation, atomic commit.

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "promptsales/crm/error_report.hpp"
#include "temp_dir.hpp"

using namespace promptsales::crm;

namespace {
std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}
}  // namespace

TEST_CASE("report fields are quoted when needed and formulas are neutralised") {
  CHECK(report_csv_field("plain") == "plain");
  CHECK(report_csv_field("a,b") == "\"a,b\"");
  CHECK(report_csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(report_csv_field("two\nlines") == "\"two\nlines\"");
  CHECK(report_csv_field("=HYPERLINK(\"x\")") == "\"'=HYPERLINK(\"\"x\"\")\"");
  CHECK(report_csv_field("+34600") == "'+34600");
  CHECK(report_csv_field("-1") == "'-1");
  CHECK(report_csv_field("@SUM(A1)") == "'@SUM(A1)");
  CHECK(report_csv_field("") == "");
}

TEST_CASE("the report appears only on commit, with its header and rows") {
  promptsales::test::TempDir dir("leadreport");
  const std::string path = (dir.path() / "errors.csv").string();
  {
    ErrorReportWriter w(path);
    w.add(RowError{3, "Correo", "=cmd|' /C calc'!A0", "invalid_email", "Correo: the email has no @"});
    w.add(RowError{0, "", "", "too_many_rows", "the file has more than 10 rows, the import limit"});
    CHECK(w.count() == 2);
    CHECK_FALSE(std::filesystem::exists(path));
    w.commit();
  }
  CHECK(slurp(path) ==
        "line,column,value,error_code,message\n"
        "3,Correo,'=cmd|' /C calc'!A0,invalid_email,Correo: the email has no @\n"
        "0,,,too_many_rows,\"the file has more than 10 rows, the import limit\"\n");
  CHECK(std::distance(std::filesystem::directory_iterator(dir.path()), std::filesystem::directory_iterator{}) == 1);
}

TEST_CASE("an abandoned report leaves nothing behind") {
  promptsales::test::TempDir dir("leadreport");
  const std::string path = (dir.path() / "errors.csv").string();
  {
    ErrorReportWriter w(path);
    w.add(RowError{1, "a", "b", "c", "d"});
  }
  CHECK(std::filesystem::is_empty(dir.path()));
  CHECK_THROWS_AS(ErrorReportWriter((dir.path() / "missing" / "errors.csv").string()), std::runtime_error);
}
