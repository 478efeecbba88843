// `promptsales lead export-subject|forget|export` end to end: the JSON of a
// subject access request, erasure and its exit codes, audit entries that
// never hold the email, and a CSV import -> export round trip.
#include <algorithm>
#include <fstream>
#include <iterator>
#include <sstream>

#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "cli_output.hpp"
#include "lead_cli.hpp"
#include "promptsales/crm/lead_store.hpp"
#include "temp_dir.hpp"
#include "test_env.hpp"

using namespace promptsales::test;

namespace {

/// The second field of every data line of a CSV without quoted fields.
std::vector<std::string> csv_emails(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    const auto a = line.find(',');
    out.push_back(line.substr(a + 1, line.find(',', a + 1) - a - 1));
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("cli: lead export-subject and forget answer a person's requests, audited without the email",
          "[cli][lead][privacy]") {
  TestInstallation inst;
  const auto env = lead_env(inst);
  const auto crm_url = promptsales::crm::locate_crm_database(inst.control_url());
  TempDir dir;
  const auto file = dir.write("people.csv",
                              "email,name,phone,country,city\n"
                              "marta.gil@example.com,Marta Gil,+34622333444,ES,Bilbao\n"
                              "luis@example.com,Luis,+34622333555,ES,Vigo\n");
  for (const char* org : {"1", "2"}) {
    const auto r = run_promptsales({"lead", "import", file, "--org", org}, env);
    INFO(describe(r));
    REQUIRE(r.exit_code == 0);
  }

  auto r = run_promptsales({"lead", "export-subject", "MARTA.GIL@example.com"}, env);
  INFO(describe(r));
  REQUIRE(r.exit_code == 0);
  auto j = stdout_json(r);
  REQUIRE(j.at("leads").size() == 2);
  CHECK(j.at("leads")[0].at("email") == "marta.gil@example.com");
  CHECK(j.at("leads")[0].at("name") == "Marta Gil");
  CHECK(j.at("leads")[1].at("city") == "Bilbao");
  CHECK(j.at("leads")[1].at("events").is_array());
  const auto subject = j.at("subject").get<std::string>();
  // "-" reads the address from standard input (out of the process list).
  r = run_promptsales({"lead", "export-subject", "-"}, env, "marta.gil@example.com\n");
  INFO(describe(r));
  REQUIRE(r.exit_code == 0);
  CHECK(stdout_json(r).at("leads").size() == 2);
  r = run_promptsales({"lead", "forget", "-"}, env, "");
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("standard input holds no email"));

  r = run_promptsales({"lead", "forget", "marta.gil@example.com", "--dry-run", "-o", "json"}, env);
  INFO(describe(r));
  REQUIRE(r.exit_code == 0);
  CHECK(stdout_json(r).at("leadIds").size() == 2);
  CHECK(query(crm_url, "SELECT count(*) FROM leads WHERE forgotten_at IS NOT NULL") == 0);

  r = run_promptsales({"lead", "forget", "marta.gil@example.com", "--org", "2", "-o", "json"}, env);
  INFO(describe(r));
  REQUIRE(r.exit_code == 0);
  CHECK(stdout_json(r).at("forgotten") == 1);
  r = run_promptsales({"lead", "forget", "marta.gil@example.com"}, env);
  INFO(describe(r));
  REQUIRE(r.exit_code == 0);
  CHECK(query(crm_url, "SELECT count(*) FROM leads WHERE forgotten_at IS NOT NULL AND email_encrypted IS NULL "
                          "AND name_encrypted IS NULL AND phone_encrypted IS NULL AND city IS NULL") == 2);

  r = run_promptsales({"lead", "forget", "marta.gil@example.com"}, env);
  CHECK(r.exit_code == 4);
  CHECK_THAT(r.err, Catch::Contains("already forgotten"));
  r = run_promptsales({"lead", "export-subject", "marta.gil@example.com"}, env);
  CHECK(r.exit_code == 4);
  r = run_promptsales({"lead", "forget", "not-an-email"}, env);
  CHECK(r.exit_code == 2);

  // list and show present forgotten leads without personal data.
  r = run_promptsales({"lead", "list", "--org", "1", "-o", "json"}, env);
  INFO(describe(r));
  REQUIRE(r.exit_code == 0);
  j = stdout_json(r);
  REQUIRE(j.size() == 2);
  // Marta's lead, whichever of the import's writers stored it first.
  const auto& marta = j[0].at("forgotten") == true ? j[0] : j[1];
  CHECK(marta.at("forgotten") == true);
  CHECK(marta.at("email").is_null());
  CHECK(marta.at("country") == "ES");
  CHECK((j[0].at("forgotten") == true) != (j[1].at("forgotten") == true));
  r = run_promptsales({"lead", "list", "--org", "1"}, env);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("(forgotten)"));
  r = run_promptsales({"lead", "show", std::to_string(marta.at("id").get<long long>()), "--org", "1"}, env);
  CHECK(r.exit_code == 0);

  // The audit log: every request recorded, the email nowhere.
  CHECK(query(inst.control_url(), "SELECT count(*) FROM audit_log WHERE action = 'lead.export_subject'") == 3);
  CHECK(query(inst.control_url(), "SELECT count(*) FROM audit_log WHERE action = 'lead.forget' AND outcome = "
                                     "'success'") == 3);
  CHECK(query(inst.control_url(), "SELECT count(*) FROM audit_log WHERE action = 'lead.forget' AND outcome = "
                                     "'failure'") >= 1);
  CHECK(query(inst.control_url(), "SELECT count(*) FROM audit_log WHERE details->>'subject' = '" + subject +
                                         "'") >= 4);
  CHECK(query(inst.control_url(), "SELECT count(*) FROM audit_log WHERE audit_log::text ILIKE '%marta%'") == 0);
}

TEST_CASE("cli: lead export writes CSV and JSONL that round-trip through lead import", "[cli][lead][privacy]") {
  TestInstallation inst;
  const auto env = lead_env(inst);
  TempDir dir;
  std::string csv = "email,name,country\n";
  std::vector<std::string> emails;
  for (int i = 0; i < 1500; ++i) {
    emails.push_back("persona" + std::to_string(i) + "@example.org");
    csv += emails.back() + ",Persona " + std::to_string(i) + ",MX\n";
  }
  std::sort(emails.begin(), emails.end());
  const auto file = dir.write("in.csv", csv);
  auto r = run_promptsales({"lead", "import", file, "--org", "4"}, env);
  INFO(describe(r));
  REQUIRE(r.exit_code == 0);

  const auto out = dir.path().string() + "/out.csv";
  r = run_promptsales({"lead", "export", "--org", "4", "--output-file", out}, env);
  INFO(describe(r));
  REQUIRE(r.exit_code == 0);
  const auto exported = read_file(out);
  CHECK(exported.rfind("id,email,name,phone,", 0) == 0);
  CHECK(csv_emails(exported) == emails);
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    CHECK(entry.path().filename().string().find(".tmp-") == std::string::npos);  // no temporary left behind
  }

  // Re-imported into another organization: the same people.
  r = run_promptsales({"lead", "import", out, "--org", "5", "-o", "json"}, env);
  INFO(describe(r));
  REQUIRE(r.exit_code == 0);
  CHECK(stdout_json(r).at("created") == 1500);
  r = run_promptsales({"lead", "export", "--org", "5", "--format", "jsonl"}, env);
  INFO(describe(r).substr(0, 2000));
  REQUIRE(r.exit_code == 0);
  std::istringstream lines(r.out);
  std::string line;
  std::vector<std::string> again;
  while (std::getline(lines, line)) {
    const auto j = nlohmann::json::parse(line);
    CHECK(j.at("country") == "MX");
    again.push_back(j.at("email").get<std::string>());
  }
  std::sort(again.begin(), again.end());
  CHECK(again == emails);
  CHECK(query(inst.control_url(), "SELECT count(*) FROM audit_log WHERE action = 'lead.export' AND "
                                     "(details->>'count')::int = 1500") == 2);

  r = run_promptsales({"lead", "export", "--org", "4", "--format", "xml"}, env);
  CHECK(r.exit_code == 2);
  r = run_promptsales({"lead", "export", "--org", "4", "--output-file", "/nonexistent-dir/x.csv"}, env);
  CHECK(r.exit_code == 2);
}
