// End-to-end: `promptsales campaign ...` on an installation of the test's own,
// the way an operator or a script uses it.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "cli_output.hpp"
#include "test_env.hpp"

using nlohmann::json;
using promptsales::test::CommandResult;
using promptsales::test::describe;
using promptsales::test::run_promptsales;
using promptsales::test::stdout_json;
using promptsales::test::TestInstallation;

namespace {

struct Cli {
  TestInstallation installation;
  std::map<std::string, std::string> env = [this] {
    auto e = installation.env();
    e["PROMPTSALES_CONFIG"] = "";
    return e;
  }();

  CommandResult run(std::vector<std::string> args) const { return run_promptsales(args, env); }

  /// Runs with `-o json`, requires `exit`, returns the document.
  json run_json(std::vector<std::string> args, int exit = 0) const {
    args.push_back("-o");
    args.push_back("json");
    const auto r = run(args);
    INFO(describe(r));
    REQUIRE(r.exit_code == exit);
    return stdout_json(r);
  }

  std::int64_t add_organization(const std::string& name) const {
    pqxx::connection c(installation.control_url());
    pqxx::work tx(c);
    const auto id = tx.exec_params1("INSERT INTO organizations (name) VALUES ($1) RETURNING id", name)[0].as<std::int64_t>();
    tx.commit();
    return id;
  }

  long long campaigns_in_database() const {
    pqxx::connection c(installation.ads_url());
    pqxx::nontransaction tx(c);
    return tx.exec("SELECT count(*) FROM campaigns")[0][0].as<long long>();
  }
};

std::string str(std::int64_t id) { return std::to_string(id); }

std::vector<std::int64_t> ids_of(const json& array) {
  std::vector<std::int64_t> out;
  for (const auto& c : array) out.push_back(c.at("id").get<std::int64_t>());
  return out;
}

}  // namespace

TEST_CASE_METHOD(Cli, "cli campaign: create, show, update, pause, resume, and exit codes", "[cli][campaign]") {
  const auto org = add_organization("Acme");

  const auto created = run_json({"campaign", "create", "--org", str(org), "--name", "Summer Sale", "--description",
                                 "Hot deals", "--budget", "1500.5", "--currency", "eur", "--channels",
                                 "facebook,Instagram", "--channel", "email", "--starts-at", "2026-03-01T10:00:00+02:00",
                                 "--ends-at", "2026-04-01"});
  REQUIRE(created.is_object());
  const auto id = created.at("id").get<std::int64_t>();
  CHECK(id > 0);
  CHECK(created.at("organizationId") == org);
  CHECK(created.at("name") == "Summer Sale");
  CHECK(created.at("description") == "Hot deals");
  CHECK(created.at("status") == "draft");
  CHECK(created.at("enabled") == true);
  CHECK(created.at("deleted") == false);
  CHECK(created.at("budget").get<double>() == Approx(1500.5));
  CHECK(created.at("currency") == "EUR");
  CHECK(created.at("channels") == json::array({"facebook", "instagram", "email"}));
  CHECK(created.at("startsAt") == "2026-03-01T08:00:00.000Z");
  CHECK(created.at("endsAt") == "2026-04-01T00:00:00.000Z");
  CHECK(created.at("checksum").get<std::string>().size() == 64);

  // show returns the same object.
  CHECK(run_json({"campaign", "show", str(id)}) == created);

  {
    INFO("table output names the fields");
    const auto r = run({"campaign", "show", str(id)});
    INFO(describe(r));
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("Summer Sale"));
    CHECK_THAT(r.out, Catch::Contains("1500.50 EUR"));
  }

  {
    INFO("invalid field: exit 2, field named on stderr, JSON error on stdout");
    const auto r = run({"campaign", "create", "--org", str(org), "--name", "x", "--budget", "-3", "-o", "json"});
    INFO(describe(r));
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("budget"));
    const auto j = stdout_json(r);
    CHECK(j.at("error").at("code") == "invalid_argument");
    CHECK_THAT(j.at("error").at("message").get<std::string>(), Catch::Contains("budget"));
  }
  for (const auto& [args, field] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"--name", std::string(61, 'n')}, "name"},
           {{"--name", "x", "--channels", "fax"}, "channels"},
           {{"--name", "x", "--starts-at", "2026-03-02", "--ends-at", "2026-03-01"}, "endsAt"},
           {{"--name", "x", "--status", "bogus"}, "status"},
       }) {
    std::vector<std::string> full = {"campaign", "create", "--org", str(org)};
    full.insert(full.end(), args.begin(), args.end());
    const auto r = run(full);
    INFO("field " << field << "\n" << describe(r));
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains(field));
  }
  {
    INFO("unknown organization: exit 2 naming organizationId");
    const auto r = run({"campaign", "create", "--org", "999999", "--name", "orphan"});
    INFO(describe(r));
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("organizationId"));
  }
  CHECK(campaigns_in_database() == 1);  // none of the failures stored anything

  {
    INFO("unknown id: exit 4 for every command");
    for (const auto& cmd : std::vector<std::vector<std::string>>{{"campaign", "show", "987654"},
                                                                 {"campaign", "update", "987654", "--name", "x"},
                                                                 {"campaign", "pause", "987654"},
                                                                 {"campaign", "delete", "987654", "--dry-run"}}) {
      const auto r = run(cmd);
      INFO(describe(r));
      CHECK(r.exit_code == 4);
      CHECK_THAT(r.err, Catch::Contains("987654"));
    }
  }
  {
    INFO("forbidden transitions: exit 5");
    const auto pause_draft = run({"campaign", "pause", str(id)});
    INFO(describe(pause_draft));
    CHECK(pause_draft.exit_code == 5);
    CHECK_THAT(pause_draft.err, Catch::Contains("draft"));
    const auto to_paused = run({"campaign", "update", str(id), "--status", "paused"});
    INFO(describe(to_paused));
    CHECK(to_paused.exit_code == 5);
    const auto resume_draft = run({"campaign", "resume", str(id)});
    CHECK(resume_draft.exit_code == 5);
  }
  {
    INFO("an update with no fields is a usage error");
    const auto r = run({"campaign", "update", str(id)});
    INFO(describe(r));
    CHECK(r.exit_code == 2);
  }

  // Update, then the lifecycle.
  const auto updated = run_json({"campaign", "update", str(id), "--name", "Winter Sale", "--clear-ends-at", "--disable",
                                 "--status", "active"});
  CHECK(updated.at("name") == "Winter Sale");
  CHECK(updated.at("endsAt").is_null());
  CHECK(updated.at("enabled") == false);
  CHECK(updated.at("status") == "active");
  CHECK(updated.at("checksum") != created.at("checksum"));
  CHECK(updated.at("createdAt") == created.at("createdAt"));

  CHECK(run_json({"campaign", "pause", str(id)}).at("status") == "paused");
  CHECK(run_json({"campaign", "pause", str(id)}, 5).at("error").at("code") == "conflict");
  CHECK(run_json({"campaign", "resume", str(id)}).at("status") == "active");
  CHECK(run_json({"campaign", "show", str(id)}).at("status") == "active");

  const auto ended = run_json({"campaign", "update", str(id), "--status", "ended"});
  CHECK(ended.at("status") == "ended");
  const auto locked = run({"campaign", "update", str(id), "--name", "too late"});
  INFO(describe(locked));
  CHECK(locked.exit_code == 5);
  CHECK(run_json({"campaign", "show", str(id)}).at("name") == "Winter Sale");
}

TEST_CASE_METHOD(Cli, "cli campaign: list and delete", "[cli][campaign]") {
  const auto acme = add_organization("Acme");
  const auto globex = add_organization("Globex");

  {
    INFO("an empty list is an empty JSON array");
    const auto empty = run_json({"campaign", "list"});
    CHECK(empty == json::array());
  }

  std::vector<std::int64_t> ids;
  for (const auto& [org, name] : std::vector<std::pair<std::int64_t, std::string>>{
           {acme, "Summer Sale"}, {acme, "Winter Coats"}, {globex, "summer camp"}, {globex, "Spring"}}) {
    ids.push_back(run_json({"campaign", "create", "--org", str(org), "--name", name}).at("id").get<std::int64_t>());
  }

  const auto all = run_json({"campaign", "list"});
  REQUIRE(all.is_array());
  CHECK(ids_of(all) == std::vector<std::int64_t>{ids[3], ids[2], ids[1], ids[0]});  // newest first
  for (const auto& c : all) {
    for (const char* key : {"id", "organizationId", "name", "status", "enabled", "deleted", "budget", "channels",
                            "createdAt", "updatedAt", "checksum"}) {
      CHECK(c.contains(key));
    }
  }
  CHECK(ids_of(run_json({"campaign", "list", "--org", str(globex)})) == std::vector<std::int64_t>{ids[3], ids[2]});
  CHECK(ids_of(run_json({"campaign", "list", "--search", "SUMMER"})) == std::vector<std::int64_t>{ids[2], ids[0]});
  CHECK(ids_of(run_json({"campaign", "list", "--limit", "2", "--offset", "1"})) ==
        std::vector<std::int64_t>{ids[2], ids[1]});
  CHECK(run_json({"campaign", "list", "--enabled", "false"}) == json::array());
  {
    const auto r = run({"campaign", "list", "--limit", "0"});
    INFO(describe(r));
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("limit"));
    const auto e = run({"campaign", "list", "--enabled", "maybe"});
    CHECK(e.exit_code == 2);
  }

  {
    INFO("delete --dry-run shows the campaign and changes nothing");
    const auto before = run_json({"campaign", "show", str(ids[1])});
    const auto dry = run({"campaign", "delete", str(ids[1]), "--dry-run", "-o", "json"});
    INFO(describe(dry));
    CHECK(dry.exit_code == 0);
    CHECK(stdout_json(dry).at("id") == ids[1]);
    CHECK_THAT(dry.err, Catch::Contains("dry run"));
    CHECK(run_json({"campaign", "show", str(ids[1])}) == before);
    CHECK(run_json({"campaign", "list"}).size() == 4);
  }
  {
    INFO("delete hides it; --include-deleted shows it");
    const auto deleted = run_json({"campaign", "delete", str(ids[1])});
    CHECK(deleted.at("deleted") == true);
    CHECK(run_json({"campaign", "show", str(ids[1])}, 4).at("error").at("code") == "not_found");
    CHECK(ids_of(run_json({"campaign", "list"})) == std::vector<std::int64_t>{ids[3], ids[2], ids[0]});
    const auto with_deleted = run_json({"campaign", "list", "--include-deleted"});
    CHECK(ids_of(with_deleted) == std::vector<std::int64_t>{ids[3], ids[2], ids[1], ids[0]});
    CHECK(with_deleted.at(2).at("deleted") == true);
    CHECK(run({"campaign", "delete", str(ids[1])}).exit_code == 4);  // already deleted
    CHECK(campaigns_in_database() == 4);                             // soft: the row is kept
  }
  {
    INFO("table output of list");
    const auto r = run({"campaign", "list", "--org", str(acme)});
    INFO(describe(r));
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("Summer Sale"));
    CHECK_THAT(r.out, !Catch::Contains("Winter Coats"));
  }
}
