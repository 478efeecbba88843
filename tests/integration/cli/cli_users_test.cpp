// End-to-end: `promptsales user|tenant|keys|audit ...` the way an operator
// runs them, with the data key in the environment.
#include <catch2/catch.hpp>

#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "cli_output.hpp"
#include "temp_dir.hpp"
#include "test_env.hpp"

using nlohmann::json;
using promptsales::test::CommandResult;
using promptsales::test::describe;
using promptsales::test::run_promptsales;
using promptsales::test::stdout_json;
using promptsales::test::TestInstallation;

namespace {

const std::string kKey = "5f4dcc3b5aa765d61d8327deb882cf995f4dcc3b5aa765d61d8327deb882cf99";
const std::string kNewKey = "a3f1c9e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f0";

struct DataCli {
  TestInstallation installation;
  std::map<std::string, std::string> env = [this] {
    auto e = installation.env();
    e["PROMPTSALES_CONFIG"] = "";
    e["PROMPTSALES_DATA_KEY"] = kKey;
    e["PROMPTSALES_ACTOR"] = "cli:tester";
    return e;
  }();

  CommandResult run(std::vector<std::string> args, const std::map<std::string, std::string>& extra = {}) const {
    auto e = env;
    for (const auto& [k, v] : extra) e[k] = v;
    const auto r = run_promptsales(args, e);
    // Whatever happened, neither key may appear in what the binary printed.
    INFO(describe(r));
    CHECK(r.out.find(kKey) == std::string::npos);
    CHECK(r.err.find(kKey) == std::string::npos);
    CHECK(r.out.find(kNewKey) == std::string::npos);
    CHECK(r.err.find(kNewKey) == std::string::npos);
    return r;
  }

  json run_json(std::vector<std::string> args, int exit = 0, const std::map<std::string, std::string>& extra = {}) const {
    args.push_back("-o");
    args.push_back("json");
    const auto r = run(args, extra);
    INFO(describe(r));
    REQUIRE(r.exit_code == exit);
    return stdout_json(r);
  }

  std::string scalar(const std::string& sql) const {
    pqxx::connection c(installation.control_url());
    pqxx::nontransaction tx(c);
    const auto r = tx.exec1(sql);
    return r[0].is_null() ? "NULL" : r[0].as<std::string>();
  }
};

}  // namespace

TEST_CASE_METHOD(DataCli, "cli user: register, grant, revoke, permissions and exit codes", "[cli][users]") {
  const auto org = run_json({"tenant", "add", "--name", "Acme", "--country", "ES", "--legal-name", "Acme Holdings SL",
                             "--tax-id", "ESB99887766", "--billing-email", "billing@acme.example"});
  const auto org_id = std::to_string(org.at("id").get<long long>());
  CHECK(org.at("taxId") == "ESB99887766");

  const auto u = run_json({"user", "register", "--subject", "auth0|ana", "--email", "ana@acme.example", "--name",
                           "Ana Torres", "--org", org_id, "--role", "viewer"});
  CHECK(u.at("email") == "ana@acme.example");
  CHECK(u.at("roles") == json::array({"viewer"}));

  // Stored encrypted: no plaintext in a raw select.
  for (const std::string plain : {"ana@acme.example", "Ana Torres", "ESB99887766", "Acme Holdings", "billing@acme"}) {
    CAPTURE(plain);
    CHECK(scalar("SELECT count(*) FROM users u WHERE position('" + plain + "' in u::text) > 0") == "0");
    CHECK(scalar("SELECT count(*) FROM organizations o WHERE position('" + plain + "' in o::text) > 0") == "0");
  }

  auto g = run_json({"user", "grant", "auth0|ana", "--permission", "leads:export", "--role", "marketer"});
  CHECK(g.at("effectivePermissions").size() == 7);
  auto perms = run_json({"user", "permissions", "auth0|ana"});
  CHECK(perms.at("active") == true);
  CHECK(perms.at("permissions") ==
        json::array({"campaigns:read", "campaigns:write", "leads:read", "leads:write", "leads:export", "content:read",
                     "content:write"}));
  run_json({"user", "revoke", "auth0|ana", "--role", "marketer", "--permission", "leads:export"});
  perms = run_json({"user", "permissions", "auth0|ana"});
  CHECK(perms.at("permissions") == json::array({"campaigns:read", "leads:read", "content:read"}));

  // Listing decrypts for the operator.
  const auto list = run_json({"user", "list", "--org", org_id});
  REQUIRE(list.size() == 1);
  CHECK(list[0].at("name") == "Ana Torres");
  const auto table = run({"user", "list"});
  CHECK(table.exit_code == 0);
  CHECK(table.out.find("ana@acme.example") != std::string::npos);

  // Refusals name the input and use the documented exit codes.
  auto r = run({"user", "grant", "auth0|ana", "--permission", "campaigns:destroy"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("campaigns:destroy") != std::string::npos);
  r = run({"user", "grant", "auth0|ana", "--role", "overlord"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("overlord") != std::string::npos);
  r = run({"user", "register", "--subject", "auth0|ana", "--email", "x@y.z", "--name", "X", "--org", org_id});
  CHECK(r.exit_code == 5);
  CHECK(r.err.find("auth0|ana") != std::string::npos);
  r = run({"user", "register", "--subject", "auth0|z", "--email", "x@y.z", "--name", "X", "--org", "987654"});
  CHECK(r.exit_code == 4);
  CHECK(r.err.find("987654") != std::string::npos);
  r = run({"user", "permissions", "auth0|nobody"});
  CHECK(r.exit_code == 4);
  // No key: a clear configuration error, exit 2, before anything is written.
  r = run({"user", "register", "--subject", "auth0|k", "--email", "k@y.z", "--name", "K", "--org", org_id},
          {{"PROMPTSALES_DATA_KEY", ""}});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("PROMPTSALES_DATA_KEY") != std::string::npos);
  CHECK(scalar("SELECT count(*) FROM users") == "1");
  // A wrong key cannot read, and says so without printing data.
  r = run({"user", "list"}, {{"PROMPTSALES_DATA_KEY", kNewKey}});
  CHECK(r.exit_code != 0);
  CHECK(r.out.find("ana@acme.example") == std::string::npos);

  // Every change was audited, failures too.
  const auto audit = run_json({"audit", "list", "--actor", "cli:tester", "--action", "user.grant"});
  REQUIRE(audit.size() == 3);
  CHECK(audit[0].at("outcome") == "failure");
  CHECK(audit[2].at("outcome") == "success");
  CHECK(audit[2].at("target") == "user:auth0|ana");
  CHECK(run_json({"audit", "list", "--action", "tenant.add"}).size() == 1);
  CHECK(run_json({"audit", "list", "--since", "1h", "--action", "user.register"}).size() == 3);
  CHECK(run_json({"audit", "list", "--until", "2000-01-01"}).empty());
  r = run({"audit", "list", "--since", "last tuesday"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--since") != std::string::npos);
}

TEST_CASE_METHOD(DataCli, "cli keys rotate: dry run, interrupted run, resume, reads in between", "[cli][keys]") {
  const auto org = run_json({"tenant", "add", "--name", "Acme", "--tax-id", "ESB11111111"});
  const auto org_id = std::to_string(org.at("id").get<long long>());
  for (int i = 0; i < 7; ++i) {
    run_json({"user", "register", "--subject", "s" + std::to_string(i), "--email", "u" + std::to_string(i) + "@x.example",
              "--name", "User " + std::to_string(i), "--org", org_id});
  }
  const std::map<std::string, std::string> with_new{{"PROMPTSALES_NEW_DATA_KEY", kNewKey}};
  auto dry = run_json({"keys", "rotate", "--dry-run"}, 0, with_new);
  CHECK(dry.at("tables").at(0).at("remaining") == 7);
  CHECK(dry.at("tables").at(1).at("remaining") == 1);
  const auto new_id = dry.at("newKeyId").get<std::string>();

  auto part = run_json({"keys", "rotate", "--batch-size", "3", "--max-batches", "1"}, 0, with_new);
  CHECK(part.at("complete") == false);
  CHECK(part.at("tables").at(0).at("rotated") == 3);
  CHECK(scalar("SELECT count(*) FROM users WHERE key_id = '" + new_id + "'") == "3");

  // Mid-rotation: readers configured with both keys read everything.
  const std::map<std::string, std::string> both{{"PROMPTSALES_DATA_KEY_PREVIOUS", kNewKey}};
  CHECK(run_json({"user", "list"}, 0, both).size() == 7);

  const auto progress = run({"keys", "rotate", "--batch-size", "3"}, with_new);
  CHECK(progress.exit_code == 0);
  CHECK(progress.err.find("rows re-encrypted") != std::string::npos);
  CHECK(scalar("SELECT count(*) FROM users WHERE key_id <> '" + new_id + "'") == "0");

  // After: the new key alone reads it all.
  const std::map<std::string, std::string> only_new{{"PROMPTSALES_DATA_KEY", kNewKey}};
  CHECK(run_json({"user", "list"}, 0, only_new).at(6).at("email") == "u6@x.example");
  CHECK(run_json({"tenant", "show", org_id}, 0, only_new).at("taxId") == "ESB11111111");
  auto again = run_json({"keys", "rotate"}, 0, {{"PROMPTSALES_DATA_KEY", kNewKey}, {"PROMPTSALES_NEW_DATA_KEY", kNewKey}});
  CHECK(again.at("complete") == true);
  CHECK(again.at("batches") == 0);

  // --new-key-file works too; no new key at all is a usage error.
  promptsales::test::TempDir dir;
  const auto key_file = dir.path() / "new.key";
  std::ofstream(key_file) << kKey << "\n";
  auto back = run_json({"keys", "rotate", "--new-key-file", key_file.string()}, 0, only_new);
  CHECK(back.at("complete") == true);
  auto r = run({"keys", "rotate"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("PROMPTSALES_NEW_DATA_KEY") != std::string::npos);
  CHECK(run_json({"audit", "list", "--action", "keys.rotate"}).size() == 4);
}

TEST_CASE_METHOD(DataCli, "cli audit purge: retention, dry run, and secrets stay out of debug logs", "[cli][audit]") {
  scalar("WITH ins AS (INSERT INTO audit_log (at, actor, action, outcome) SELECT now() - interval '100 days', 'cli:old', 'old', "
         "'success' FROM generate_series(1, 12) RETURNING 1) SELECT count(*) FROM ins");
  scalar("WITH ins AS (INSERT INTO audit_log (actor, action, outcome) VALUES ('cli:new', 'new', 'success') RETURNING 1) SELECT count(*) FROM ins");
  auto dry = run_json({"audit", "purge", "--dry-run"});
  CHECK(dry.at("wouldDelete") == 12);
  CHECK(scalar("SELECT count(*) FROM audit_log") == "13");
  auto kept = run_json({"audit", "purge", "--older-than-days", "365"});
  CHECK(kept.at("deleted") == 0);
  auto done = run_json({"audit", "purge", "--batch-size", "5"});
  CHECK(done.at("deleted") == 12);
  CHECK(done.at("olderThanDays") == 90);
  CHECK(scalar("SELECT count(*) FROM audit_log WHERE action = 'new'") == "1");

  // The most talkative run still never shows a key.
  const auto org = run_json({"tenant", "add", "--name", "Talk", "--tax-id", "X1"}, 0, {{"PROMPTSALES_LOG_LEVEL", "trace"}});
  CHECK(org.at("keyId").get<std::string>().size() == 16);
  const auto shown = run({"config", "show"});
  CHECK(shown.out.find("data_key") != std::string::npos);

  for (const auto* help : {"user", "tenant", "keys", "audit"}) {
    const auto h = run({help, "--help"});
    CHECK(h.exit_code == 0);
  }
}

TEST_CASE_METHOD(DataCli, "cli seed --replace wipes organizations together with their users", "[cli][users]") {
  const auto org = run_json({"tenant", "add", "--name", "Acme"});
  run_json({"user", "register", "--subject", "s", "--email", "s@x.example", "--name", "S", "--org",
            std::to_string(org.at("id").get<long long>())});
  const auto r = run({"seed", "--organizations", "2", "--campaigns-per-org", "1", "--replace"});
  INFO(describe(r));
  CHECK(r.exit_code == 0);
  CHECK(scalar("SELECT count(*) FROM users") == "0");
  CHECK(scalar("SELECT count(*) FROM organizations") == "2");
}
