// `lead import FILE --queue`: the file is checked at once, the import runs
// in `jobs worker` as the lead-import job, and ends with the same rows as
// the same import run in the foreground.
#include <fstream>

#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "cli_output.hpp"
#include "lead_cli.hpp"
#include "promptsales/crm/lead_store.hpp"
#include "temp_dir.hpp"
#include "test_env.hpp"

using namespace promptsales::test;

namespace {

/// 300 rows: every 100th is invalid (3), every other 50th repeats an earlier email (3).
void write_leads(const std::string& path) {
  std::ofstream out(path, std::ios::binary);
  out << "Correo,Nombre,País\n";
  for (int i = 0; i < 300; ++i) {
    const int e = i % 50 == 49 ? i - 3 : i;
    out << (i % 100 == 99 ? "roto-" + std::to_string(i) : "q" + std::to_string(e) + "@example.org") << ",Persona "
        << i << ",ES\n";
  }
}

}  // namespace

TEST_CASE("cli: lead import --queue checks the file now and the worker imports it", "[cli][lead][jobs]") {
  TestInstallation inst;
  const auto env = lead_env(inst);
  const auto crm_url = promptsales::crm::locate_crm_database(inst.control_url());
  TempDir dir;
  const auto file = (dir.path() / "leads.csv").string();
  const auto errors = (dir.path() / "errors.csv").string();
  write_leads(file);

  auto r = run_promptsales({"lead", "import", file, "--org", "21", "--queue", "--errors", errors, "-o", "json"}, env);
  INFO(describe(r));
  REQUIRE(r.exit_code == 0);
  auto j = stdout_json(r);
  CHECK(j.at("queued") == true);
  CHECK(j.at("records") == 300);
  CHECK(j.at("queueId").get<long long>() > 0);
  CHECK(query(crm_url, "SELECT count(*) FROM leads") == 0);  // nothing until a worker runs it

  r = run_promptsales({"jobs", "worker", "--once", "-o", "json"}, env);
  INFO(describe(r));
  CHECK(r.exit_code == 0);
  CHECK(query(crm_url, "SELECT count(*) FROM leads WHERE organization_id = 21") == 294);
  CHECK(query(inst.control_url(),
              "SELECT count(*) FROM job_runs WHERE job = 'lead-import' AND outcome = 'partial'") == 1);
  CHECK(query(inst.control_url(), "SELECT count(*) FROM audit_log WHERE action = 'lead.import' AND "
                                  "actor = 'job:lead-import' AND (details->>'created')::int = 294") == 1);
  const auto report = read_file(errors);
  CHECK_THAT(report, Catch::Contains("roto-99"));
  CHECK_THAT(report, Catch::Contains("roto-299"));

  // The same file in the foreground is the same import: already done.
  r = run_promptsales({"lead", "import", file, "--org", "21", "-o", "json"}, env);
  INFO(describe(r));
  CHECK(stdout_json(r).at("alreadyDone") == true);
  CHECK(query(crm_url, "SELECT count(*) FROM leads") == 294);
}

TEST_CASE("cli: lead import --queue refuses what the worker could not import", "[cli][lead][jobs]") {
  TestInstallation inst;
  const auto env = lead_env(inst);
  const auto crm_url = promptsales::crm::locate_crm_database(inst.control_url());
  TempDir dir;
  const auto queued_rows = [&] { return query(inst.control_url(), "SELECT count(*) FROM job_queue"); };

  SECTION("standard input") {
    const auto r = run_promptsales({"lead", "import", "-", "--org", "21", "--queue"}, env, "email\na@b.es\n");
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("--queue") && Catch::Contains("standard input"));
    CHECK(queued_rows() == 0);
  }

  SECTION("a file without an email column") {
    const auto file = (dir.path() / "no_email.csv").string();
    std::ofstream(file) << "nombre,pais\nAna,ES\n";
    const auto r = run_promptsales({"lead", "import", file, "--org", "21", "--queue"}, env);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("email"));
    CHECK(queued_rows() == 0);
  }

  SECTION("a file changed after it was queued fails as a configuration error, importing nothing") {
    const auto file = (dir.path() / "leads.csv").string();
    write_leads(file);
    auto r = run_promptsales({"lead", "import", file, "--org", "21", "--queue"}, env);
    INFO(describe(r));
    REQUIRE(r.exit_code == 0);
    std::ofstream(file, std::ios::app) << "late@example.org,Tarde,ES\n";
    r = run_promptsales({"jobs", "worker", "--once"}, env);
    INFO(describe(r));
    CHECK(query(crm_url, "SELECT count(*) FROM leads") == 0);
    pqxx::connection c(inst.control_url());
    pqxx::nontransaction tx(c);
    const auto row = tx.exec1("SELECT outcome, error FROM job_runs WHERE job = 'lead-import'");
    CHECK(row[0].as<std::string>() == "config_error");
    CHECK_THAT(row[1].as<std::string>(), Catch::Contains("changed since the import was queued"));
  }
}
