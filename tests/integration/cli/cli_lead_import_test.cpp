// `promptsales lead import|list|show|update` end to end, including a CSV
// import killed with SIGKILL and run again, a file refused as a whole, and
// standard input. The first test uses the built-in generator (`--generate N`).
#include <signal.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <thread>

#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "cli_output.hpp"
#include "lead_cli.hpp"
#include "promptsales/crm/lead_store.hpp"
#include "serve_process.hpp"
#include "temp_dir.hpp"
#include "test_env.hpp"

using namespace promptsales::test;

namespace {

/// A Spanish CRM export as Excel writes it: BOM, ';', CRLF, Spanish headers,
/// quoted names with the delimiter and quotes in them, national phone
/// numbers; every 50th row repeats an earlier email and every 200th has a
/// bad one, so the import creates, skips and rejects.
void write_spanish_export(const std::string& path, int rows) {
  std::ofstream out(path, std::ios::binary);
  out << "\xEF\xBB\xBF" << "Correo electrónico;Nombre completo;Teléfono;País;Intereses;Fecha de nacimiento;Newsletter\r\n";
  for (int i = 0; i < rows; ++i) {
    const int e = (i % 50 == 49) ? i - 7 : i;
    const std::string email = (i % 200 == 199) ? "no-es-un-correo-" + std::to_string(i) : "lead" + std::to_string(e) +
                                                                                             "@example" + std::to_string(e % 97) + ".es";
    out << email << ";\"García; \"\"Pepe\"\" " << i << "\";6" << (10000000 + i) << ";"
        << (i % 3 ? "España" : "MX") << ";" << (i % 2 ? "yoga|running" : "cine") << ";19" << (60 + i % 40) << "-0"
        << (1 + i % 9) << "-1" << (i % 10) << ";" << (i % 4 ? "sí" : "no") << "\r\n";
  }
}

}  // namespace

TEST_CASE("cli: lead import prints its summary, exits 3 when rows failed, and a rerun is already done", "[cli][lead]") {
  TestInstallation inst;
  const auto env = lead_env(inst);
  const auto crm_url = promptsales::crm::locate_crm_database(inst.control_url());

  // 1000 generated rows: every 200th is rejected (5), every 50th other one
  // repeats an earlier email (15).
  auto r = run_promptsales({"lead", "import", "--generate", "1000", "--org", "5", "--batch-size", "64", "-o", "json"}, env);
  INFO(describe(r));
  REQUIRE(r.exit_code == 3);
  auto j = stdout_json(r);
  CHECK(j.at("records") == 1000);
  CHECK(j.at("created") == 980);
  CHECK(j.at("skipped") == 15);
  CHECK(j.at("failed") == 5);
  CHECK(j.at("alreadyDone") == false);
  // The first email that repeats across batches of 64 meets the unique
  // constraint: that batch is written again through ON CONFLICT, once.
  CHECK(j.at("fallbackBatches") == 1);
  CHECK(j.at("writers") == 2);
  CHECK(query(crm_url, "SELECT count(*) FROM leads WHERE organization_id = 5") == 980);
  CHECK(query(inst.control_url(), "SELECT count(*) FROM audit_log WHERE action = 'lead.import'") == 1);

  r = run_promptsales({"lead", "import", "--generate", "1000", "--org", "5", "-o", "json"}, env);
  INFO(describe(r));
  CHECK(r.exit_code == 3);
  j = stdout_json(r);
  CHECK(j.at("alreadyDone") == true);
  CHECK(j.at("created") == 980);
  CHECK(query(crm_url, "SELECT count(*) FROM leads") == 980);

  r = run_promptsales({"lead", "import", "--generate", "1000", "--org", "6", "--dry-run", "-o", "json"}, env);
  INFO(describe(r));
  CHECK(r.exit_code == 3);
  CHECK(stdout_json(r).at("created") == 980);
  CHECK(query(crm_url, "SELECT count(*) FROM leads WHERE organization_id = 6") == 0);

  r = run_promptsales({"lead", "list", "--org", "5", "--limit", "3", "--country", "ES", "-o", "json"}, env);
  INFO(describe(r));
  REQUIRE(r.exit_code == 0);
  j = stdout_json(r);
  REQUIRE(j.size() == 3);
  for (const auto& lead : j) CHECK(lead.at("country") == "ES");
  // The writers split a batch by email, so ids follow the file only within
  // a part: look the first line's lead up by its email.
  r = run_promptsales({"lead", "list", "--org", "5", "--email", "lead0@example0.com", "-o", "json"}, env);
  INFO(describe(r));
  REQUIRE(r.exit_code == 0);
  j = stdout_json(r);
  REQUIRE(j.size() == 1);
  CHECK(j[0].at("name") == "Person 0");
  const auto id = j[0].at("id").get<long long>();

  r = run_promptsales({"lead", "update", std::to_string(id), "--org", "5", "--status", "qualified", "--score", "70",
                       "-o", "json"},
                      env);
  INFO(describe(r));
  REQUIRE(r.exit_code == 0);
  CHECK(stdout_json(r).at("status") == "qualified");
  r = run_promptsales({"lead", "show", std::to_string(id), "--org", "6"}, env);
  CHECK(r.exit_code == 4);  // another organization's lead is not found
  r = run_promptsales({"lead", "import", "--org", "5", "--on-duplicate", "merge", "--generate", "5"}, env);
  CHECK(r.exit_code == 2);
  for (const char* writers : {"0", "9"}) {
    r = run_promptsales({"lead", "import", "--org", "5", "--writers", writers, "--generate", "5"}, env);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("--writers"));
  }
  r = run_promptsales({"lead", "import", "--generate", "10", "--org", "7"}, {{"PROMPTSALES_DATABASE_URL", inst.control_url()}, {"PROMPTSALES_CONFIG", ""}});
  CHECK(r.exit_code == 2);  // no data key
  CHECK_THAT(r.err, Catch::Contains("PROMPTSALES_DATA_KEY"));
}

TEST_CASE("cli: a lead import killed with SIGKILL and run again ends with the same rows as one clean run",
          "[cli][lead]") {
  TestInstallation inst;
  const auto env = lead_env(inst);
  const auto crm_url = promptsales::crm::locate_crm_database(inst.control_url());
  TempDir dir;
  const std::string file = dir.path().string() + "/export.csv";
  write_spanish_export(file, 40000);
  auto args_for = [&](const std::string& org, const std::string& errors) {
    return std::vector<std::string>{"lead", "import", file, "--org", org, "--default-country", "ES",
                                    "--batch-size", "500", "--errors", errors, "-o", "json"};
  };

  const auto clean = run_promptsales(args_for("1", dir.path().string() + "/clean-errors.csv"), env);
  INFO(describe(clean));
  REQUIRE(clean.exit_code == 3);
  const auto clean_json = stdout_json(clean);
  CHECK(clean_json.at("records") == 40000);

  int kills = 0;
  for (int attempt = 0; attempt < 3; ++attempt) {
    ChildProcess child(PROMPTSALES_BINARY, args_for("2", dir.path().string() + "/killed-errors.csv"), env);
    // Kill it once some batches are committed and more are on the way.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    const long long target = (attempt + 1) * 4000;
    while (std::chrono::steady_clock::now() < deadline && child.running() &&
           query(crm_url,
                 "SELECT COALESCE(max(p.last_line), 0) FROM lead_import_parts p JOIN lead_imports i "
                 "USING (import_key) WHERE i.organization_id = 2") < target) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (!child.running()) break;
    child.send_signal(SIGKILL);
    child.wait_exit(std::chrono::seconds(10));
    ++kills;
  }
  CHECK(kills > 0);
  CHECK(query(crm_url, "SELECT count(*) FROM lead_imports WHERE organization_id = 2 AND state = 'running'") ==
        (kills > 0 ? 1 : 0));

  const auto resumed = run_promptsales(args_for("2", dir.path().string() + "/resumed-errors.csv"), env);
  INFO(describe(resumed));
  REQUIRE(resumed.exit_code == 3);
  const auto j = stdout_json(resumed);
  CHECK(j.at("resumed") == (kills > 0));
  for (const char* k : {"records", "created", "updated", "skipped", "failed"}) CHECK(j.at(k) == clean_json.at(k));
  CHECK(query(crm_url, "SELECT count(*) FROM leads WHERE organization_id = 2") ==
        query(crm_url, "SELECT count(*) FROM leads WHERE organization_id = 1"));
  // The same people with the same profile (the blind index does not depend
  // on the organization; the encrypted columns differ by their random IVs).
  const std::string profile = "SELECT email_hash, country, interests, birth_date, consent_email FROM leads ";
  CHECK(query(crm_url, "SELECT count(*) FROM (" + profile + "WHERE organization_id = 1 EXCEPT " + profile +
                           "WHERE organization_id = 2) d") == 0);
  CHECK(query(crm_url, "SELECT count(*) FROM (" + profile + "WHERE organization_id = 2 EXCEPT " + profile +
                           "WHERE organization_id = 1) d") == 0);
  // The resumed run's error report is the clean run's, line for line.
  CHECK(read_file(dir.path().string() + "/resumed-errors.csv") == read_file(dir.path().string() + "/clean-errors.csv"));
}

TEST_CASE("cli: a lead file that is not UTF-8 is refused before anything is written", "[cli][lead]") {
  TestInstallation inst;
  const auto env = lead_env(inst);
  const auto crm_url = promptsales::crm::locate_crm_database(inst.control_url());
  TempDir dir;
  const std::string file = dir.path().string() + "/latin1.csv";
  {
    std::ofstream out(file, std::ios::binary);
    out << "email,name\n";
    for (int i = 0; i < 20000; ++i) out << "p" << i << "@example.com,Person " << i << "\n";
    out << "jose@example.com,Jos\xe9\n";  // Latin-1 é, after 20000 good rows (several batches)
  }
  const auto r = run_promptsales({"lead", "import", file, "--org", "1", "--batch-size", "500", "--errors",
                                  dir.path().string() + "/errors.csv"},
                                 env);
  INFO(describe(r));
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("line 20002") && Catch::Contains("iconv"));
  CHECK(query(crm_url, "SELECT count(*) FROM leads") == 0);
  CHECK_THAT(read_file(dir.path().string() + "/errors.csv"), Catch::Contains("\n0,") || Catch::Contains("not_utf8"));
}

TEST_CASE("cli: lead import reads standard input like a file, and a rerun of it is already done", "[cli][lead]") {
  TestInstallation inst;
  const auto env = lead_env(inst);
  const auto crm_url = promptsales::crm::locate_crm_database(inst.control_url());
  const std::string jsonl = R"({"email":"Ana@Example.com","nombre":"Ana","país":"España","intereses":["yoga"]})"
                            "\n"
                            R"({"correo":"luis@example.com","teléfono":"600 123 456"})"
                            "\n"
                            R"({"email":"not an email"})"
                            "\n";
  auto r = run_promptsales({"lead", "import", "-", "--org", "4", "--format", "jsonl", "--default-country", "ES",
                            "-o", "json"},
                           env, jsonl);
  INFO(describe(r));
  REQUIRE(r.exit_code == 3);
  CHECK(stdout_json(r).at("created") == 2);
  CHECK(stdout_json(r).at("failed") == 1);
  r = run_promptsales({"lead", "list", "--org", "4", "-o", "json"}, env);
  REQUIRE(r.exit_code == 0);
  auto leads = stdout_json(r);
  REQUIRE(leads.size() == 2);
  // Two writers split a batch by email: ids need not follow the lines.
  if (leads[0].at("email") != "ana@example.com") std::swap(leads[0], leads[1]);
  CHECK(leads[0].at("email") == "ana@example.com");
  CHECK(leads[0].at("country") == "ES");
  CHECK(leads[1].at("phone") == "+34600123456");
  r = run_promptsales({"lead", "import", "-", "--org", "4", "--format", "jsonl", "--default-country", "ES",
                       "-o", "json"},
                      env, jsonl);
  CHECK(stdout_json(r).at("alreadyDone") == true);
  CHECK(query(crm_url, "SELECT count(*) FROM leads WHERE organization_id = 4") == 2);
}
