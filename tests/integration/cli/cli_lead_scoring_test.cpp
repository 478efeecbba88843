// `lead event add`, `lead score --recompute` and the `lead-scoring` job on
// the built binary: engagement raises a lead's stored score, a rerun
// changes nothing, and events stay within the lead's organization.
#include <catch2/catch.hpp>

#include "cli_output.hpp"
#include "lead_cli.hpp"
#include "promptsales/crm/lead_store.hpp"
#include "temp_dir.hpp"
#include "test_env.hpp"

using namespace promptsales::test;

TEST_CASE("cli: engagement events raise a lead's score through the lead-scoring job", "[cli][lead]") {
  TestInstallation inst;
  const auto env = lead_env(inst);
  const auto crm_url = promptsales::crm::locate_crm_database(inst.control_url());
  // Two leads with the same profile; only the first will engage.
  const std::string jsonl = R"({"email":"a@example.com","name":"A","country":"ES","source":"web"})"
                            "\n"
                            R"({"email":"b@example.com","name":"B","country":"ES","source":"web"})"
                            "\n";
  auto r = run_promptsales({"lead", "import", "-", "--org", "1", "--format", "jsonl", "-o", "json"}, env, jsonl);
  INFO(describe(r));
  REQUIRE(r.exit_code == 0);
  REQUIRE(run_promptsales({"lead", "import", "-", "--org", "2", "--format", "jsonl"}, env, jsonl).exit_code == 0);
  const auto a = query(crm_url, "SELECT id FROM leads WHERE organization_id = 1 AND name_encrypted IS NOT NULL "
                                "ORDER BY id LIMIT 1");
  const auto b = a + 1;
  const auto other_org_lead = query(crm_url, "SELECT min(id) FROM leads WHERE organization_id = 2");

  for (const char* kind : {"email.opened", "email.clicked", "form.submitted"}) {
    r = run_promptsales({"lead", "event", "add", "--org", "1", "--lead", std::to_string(a), "--kind", kind}, env);
    INFO(describe(r));
    REQUIRE(r.exit_code == 0);
  }
  // Another organization's lead is not found; a malformed kind is a usage error.
  r = run_promptsales({"lead", "event", "add", "--org", "1", "--lead", std::to_string(other_org_lead), "--kind",
                       "email.opened"},
                      env);
  CHECK(r.exit_code == 4);
  r = run_promptsales({"lead", "event", "add", "--org", "1", "--lead", std::to_string(a), "--kind", "Email Opened"}, env);
  CHECK(r.exit_code == 2);
  CHECK(query(crm_url, "SELECT count(*) FROM lead_events") == 3);
  CHECK(query(inst.control_url(), "SELECT count(*) FROM audit_log WHERE action = 'lead.event.add' AND "
                                  "outcome = 'success'") == 3);

  // Events in bulk from standard input; rejected rows go to the --errors report.
  TempDir dir;
  const auto report = (dir.path() / "event_errors.csv").string();
  r = run_promptsales({"lead", "event", "import", "-", "--org", "1", "--errors", report, "-o", "json"}, env,
                      "email,kind\nb@example.com,page.viewed\n");
  CHECK(r.exit_code == 2);  // standard input needs --format
  CHECK_THAT(r.err, Catch::Contains("--format"));
  r = run_promptsales({"lead", "event", "import", "-", "--org", "1", "--format", "csv", "--errors", report, "-o",
                       "json"},
                      env, "email,kind\nb@example.com,page.viewed\nnobody@example.com,page.viewed\n");
  INFO(describe(r));
  CHECK(r.exit_code == 3);
  CHECK(stdout_json(r).at("added") == 1);
  CHECK(stdout_json(r).at("failed") == 1);
  CHECK_THAT(read_file(report), Catch::Contains("3,"));  // line 3 is the unknown person
  CHECK(query(inst.control_url(), "SELECT count(*) FROM audit_log WHERE action = 'lead.event.import' AND "
                                  "(details->>'added')::int = 1") == 1);

  r = run_promptsales({"jobs", "run", "lead-scoring", "-o", "json"}, env);
  INFO(describe(r));
  REQUIRE(r.exit_code == 0);
  const auto score_a = query(crm_url, "SELECT score FROM leads WHERE id = " + std::to_string(a));
  const auto score_b = query(crm_url, "SELECT score FROM leads WHERE id = " + std::to_string(b));
  CHECK(score_a > score_b);
  CHECK(score_b > 0);  // profile, source and recency count without events

  // The scores are up to date: recomputing again changes nothing.
  r = run_promptsales({"lead", "score", "--recompute", "--org", "1", "-o", "json"}, env);
  INFO(describe(r));
  REQUIRE(r.exit_code == 0);
  CHECK(stdout_json(r).at("leads") == 2);
  CHECK(stdout_json(r).at("changed") == 0);
  CHECK(query(inst.control_url(), "SELECT count(*) FROM audit_log WHERE action = 'lead.score.recompute' AND "
                                  "target = 'organization:1'") == 1);

  // Bad weights are a configuration error: exit 2, nothing rescored.
  auto bad = env;
  bad["PROMPTSALES_LEAD_SCORING_WEIGHTS"] = R"({"engagment": 10})";
  r = run_promptsales({"jobs", "run", "lead-scoring"}, bad);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("lead_scoring_weights"));
}
