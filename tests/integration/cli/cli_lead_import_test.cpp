// `promptsales lead import|list|show|update` end to end, including an import
// killed with SIGKILL and run again. The rows come from the built-in
// generator (`--generate N`, the same rows as scripts/bench/lead_import.sh
// writes as CSV) until the CSV reader is wired in.
#include <signal.h>

#include <chrono>
#include <thread>

#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "cli_output.hpp"
#include "promptsales/crm/lead_store.hpp"
#include "serve_process.hpp"
#include "test_env.hpp"

using namespace promptsales::test;

namespace {

constexpr const char* kKey = "7f3c0a9e5b21d4c68e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f";

std::map<std::string, std::string> lead_env(const TestInstallation& inst) {
  auto e = inst.env();
  e["PROMPTSALES_CONFIG"] = "";
  e["PROMPTSALES_DATA_KEY"] = kKey;
  return e;
}

long long query(const std::string& url, const std::string& sql) {
  pqxx::connection c(url);
  pqxx::nontransaction tx(c);
  const auto r = tx.exec(sql);
  return r.empty() || r[0][0].is_null() ? 0 : r[0][0].as<long long>();
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
  CHECK(j[0].at("email") == "lead0@example0.com");
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
  r = run_promptsales({"lead", "import", "--generate", "10", "--org", "7"}, {{"PROMPTSALES_DATABASE_URL", inst.control_url()}, {"PROMPTSALES_CONFIG", ""}});
  CHECK(r.exit_code == 2);  // no data key
  CHECK_THAT(r.err, Catch::Contains("PROMPTSALES_DATA_KEY"));
}

TEST_CASE("cli: a lead import killed with SIGKILL and run again ends with the same rows as one clean run",
          "[cli][lead]") {
  TestInstallation inst;
  const auto env = lead_env(inst);
  const auto crm_url = promptsales::crm::locate_crm_database(inst.control_url());
  const std::vector<std::string> common = {"--generate", "40000", "--batch-size", "500", "-o", "json"};
  auto args_for = [&](const std::string& org) {
    std::vector<std::string> a = {"lead", "import", "--org", org};
    a.insert(a.end(), common.begin(), common.end());
    return a;
  };

  const auto clean = run_promptsales(args_for("1"), env);
  INFO(describe(clean));
  REQUIRE(clean.exit_code == 3);
  const auto clean_json = stdout_json(clean);

  int kills = 0;
  for (int attempt = 0; attempt < 3; ++attempt) {
    ChildProcess child(PROMPTSALES_BINARY, args_for("2"), env);
    // Kill it once some batches are committed and more are on the way.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    const long long target = (attempt + 1) * 4000;
    while (std::chrono::steady_clock::now() < deadline && child.running() &&
           query(crm_url, "SELECT max(last_line) FROM lead_imports WHERE organization_id = 2") < target) {
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

  const auto resumed = run_promptsales(args_for("2"), env);
  INFO(describe(resumed));
  REQUIRE(resumed.exit_code == 3);
  const auto j = stdout_json(resumed);
  CHECK(j.at("resumed") == (kills > 0));
  for (const char* k : {"records", "created", "updated", "skipped", "failed"}) CHECK(j.at(k) == clean_json.at(k));
  CHECK(query(crm_url, "SELECT count(*) FROM leads WHERE organization_id = 2") ==
        query(crm_url, "SELECT count(*) FROM leads WHERE organization_id = 1"));
  // The same emails (the blind index does not depend on the organization).
  CHECK(query(crm_url, "SELECT count(*) FROM (SELECT email_hash FROM leads WHERE organization_id = 1 EXCEPT "
                       "SELECT email_hash FROM leads WHERE organization_id = 2) d") == 0);
  CHECK(query(crm_url, "SELECT count(*) FROM (SELECT email_hash FROM leads WHERE organization_id = 2 EXCEPT "
                       "SELECT email_hash FROM leads WHERE organization_id = 1) d") == 0);
}
