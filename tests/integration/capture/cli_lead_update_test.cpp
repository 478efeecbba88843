// The CLI mirror of the lead API: `lead update` with the fields PATCH
// takes (same rules), `lead list --email/--newest-first`, and --help of the
// capture commands.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "capture_fixture.hpp"
#include "temp_dir.hpp"

using namespace promptsales::test;

TEST_CASE("cli: lead update changes the API's fields with the import's rules, audited", "[capture][cli][leads]") {
  CaptureInstallation inst(1);
  TempDir dir;
  // Two imports, so that Dos is the newer lead (within one import the
  // writers split a batch by email and ids need not follow the lines).
  auto r = run_promptsales({"lead", "import", dir.write("l1.csv", "email,name\nuno@example.com,Uno\n"), "--org", "1"},
                           inst.env());
  REQUIRE(r.exit_code == 0);
  r = run_promptsales({"lead", "import", dir.write("l2.csv", "email,name\ndos@example.com,Dos\n"), "--org", "1"},
                      inst.env());
  REQUIRE(r.exit_code == 0);

  r = run_promptsales({"lead", "list", "--org", "1", "--email", " DOS@example.com", "-o", "json"}, inst.env());
  INFO(describe(r));
  REQUIRE(r.exit_code == 0);
  auto j = stdout_json(r);
  REQUIRE(j.size() == 1);
  const auto id = std::to_string(j[0].at("id").get<long long>());
  r = run_promptsales({"lead", "list", "--org", "1", "--newest-first", "-o", "json"}, inst.env());
  CHECK(stdout_json(r)[0].at("name") == "Dos");

  r = run_promptsales({"lead", "update", id, "--org", "1", "--name", "Dos Santos", "--phone", "611 222 333",
                       "--default-country", "ES", "--city", "Lugo", "--interests", "Vino;queso", "--consent-sms", "sí",
                       "--status", "contactado", "--country", "portugal", "-o", "json"},
                      inst.env());
  INFO(describe(r));
  REQUIRE(r.exit_code == 0);
  j = stdout_json(r);
  CHECK(j.at("name") == "Dos Santos");
  CHECK(j.at("phone") == "+34611222333");
  CHECK(j.at("city") == "Lugo");
  CHECK(j.at("interests") == nlohmann::json::array({"queso", "vino"}));
  CHECK(j.at("consents").at("sms") == true);
  CHECK(j.at("status") == "contacted");
  CHECK(j.at("country") == "PT");
  r = run_promptsales({"lead", "show", id, "--org", "1", "-o", "json"}, inst.env());
  CHECK(stdout_json(r).at("city") == "Lugo");
  CHECK(inst.control_count("SELECT count(*) FROM audit_log WHERE action = 'lead.update' AND target = 'lead:" + id +
                           "' AND outcome = 'success'") == 1);

  // Refused values name the field, change nothing, exit 2.
  for (const std::vector<std::string>& bad :
       {std::vector<std::string>{"--phone", "611 222 333"}, {"--country", "Atlantis"}, {"--consent-email", "maybe"},
        {"--status", "hot"}, {}}) {
    std::vector<std::string> args{"lead", "update", id, "--org", "1"};
    args.insert(args.end(), bad.begin(), bad.end());
    r = run_promptsales(args, inst.env());
    INFO(describe(r));
    CHECK(r.exit_code == 2);
  }
  r = run_promptsales({"lead", "show", id, "--org", "1", "-o", "json"}, inst.env());
  CHECK(stdout_json(r).at("name") == "Dos Santos");
  r = run_promptsales({"lead", "update", "999999", "--org", "1", "--city", "X"}, inst.env());
  CHECK(r.exit_code == 4);
}

TEST_CASE("cli: lead capture commands have --help", "[capture][cli]") {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"lead", "capture"}, {"lead", "capture", "configure"}, {"lead", "capture", "list"},
        {"lead", "capture", "show"}, {"lead", "capture", "disable"}, {"lead", "capture", "enable"},
        {"lead", "capture", "rotate-secret"}}) {
    auto a = args;
    a.push_back("--help");
    const auto r = run_promptsales(a, {{"PROMPTSALES_CONFIG", ""}});
    INFO(describe(r));
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("Usage:"));
  }
}
