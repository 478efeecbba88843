// `lead event add`, `lead score --recompute` and the `lead-scoring` job on
// the built binary: engagement raises a lead's stored score, a rerun
// changes nothing, and events stay within the lead's organization.
#include <catch2/catch.hpp>

#include "cli_output.hpp"
#include "lead_cli.hpp"
#include "promptsales/crm/lead_store.hpp"
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

  // Bad weights are a configuration error: exit 2, nothing rescored.
  auto bad = env;
  bad["PROMPTSALES_LEAD_SCORING_WEIGHTS"] = R"({"engagment": 10})";
  r = run_promptsales({"jobs", "run", "lead-scoring"}, bad);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("lead_scoring_weights"));
}
