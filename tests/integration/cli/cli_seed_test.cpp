// End-to-end: `promptsales seed` on an installation of the test's own.
#include <catch2/catch.hpp>

#include <string>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "cli_output.hpp"
#include "test_env.hpp"

using promptsales::test::describe;
using promptsales::test::run_promptsales;
using promptsales::test::stdout_json;
using promptsales::test::TestInstallation;

namespace {

long long scalar(const std::string& url, const std::string& sql) {
  pqxx::connection c(url);
  pqxx::nontransaction tx(c);
  return tx.exec(sql)[0][0].as<long long>();
}

std::string text(const std::string& url, const std::string& sql) {
  pqxx::connection c(url);
  pqxx::nontransaction tx(c);
  return tx.exec(sql)[0][0].as<std::string>();
}

constexpr const char* kFingerprint = "SELECT string_agg(id || ':' || checksum, ',' ORDER BY id) FROM campaigns";

}  // namespace

TEST_CASE("cli seed: counts, refusal without --replace, determinism", "[cli][seed]") {
  TestInstallation installation;
  auto env = installation.env();
  env["PROMPTSALES_CONFIG"] = "";
  const auto ads = installation.ads_url();

  const auto r = run_promptsales({"seed", "--organizations", "3", "--campaigns-per-org", "5", "-o", "json"}, env);
  INFO(describe(r));
  REQUIRE(r.exit_code == 0);
  const auto j = stdout_json(r);
  CHECK(j.at("organizations") == 3);
  CHECK(j.at("campaigns") == 15);
  CHECK(j.at("deleted").get<long long>() == scalar(ads, "SELECT count(*) FROM campaigns WHERE deleted"));
  CHECK(j.at("seconds").is_number());
  CHECK(scalar(installation.control_url(), "SELECT count(*) FROM organizations") == 3);
  CHECK(scalar(ads, "SELECT count(*) FROM campaigns") == 15);
  CHECK(scalar(ads, "SELECT count(DISTINCT organization_id) FROM campaigns") == 3);
  const auto fingerprint = text(ads, kFingerprint);

  {
    INFO("the seeded campaigns are visible to the campaign commands");
    const auto list = run_promptsales({"campaign", "list", "--org", "2", "--include-deleted", "-o", "json"}, env);
    INFO(describe(list));
    CHECK(list.exit_code == 0);
    const auto page = stdout_json(list);
    CHECK(page.size() == 5);
    for (const auto& c : page) CHECK(c.at("organizationId") == 2);
  }
  {
    INFO("a second run without --replace: Conflict, exit 5, nothing changed");
    const auto again = run_promptsales({"seed", "--organizations", "3", "--campaigns-per-org", "5"}, env);
    INFO(describe(again));
    CHECK(again.exit_code == 5);
    CHECK_THAT(again.err, Catch::Contains("--replace"));
    CHECK(scalar(ads, "SELECT count(*) FROM campaigns") == 15);
  }
  {
    INFO("--replace reloads the same data for the same seed");
    const auto replaced =
        run_promptsales({"seed", "--organizations", "3", "--campaigns-per-org", "5", "--replace", "-o", "json"}, env);
    INFO(describe(replaced));
    CHECK(replaced.exit_code == 0);
    CHECK(stdout_json(replaced).at("campaigns") == 15);
    CHECK(scalar(ads, "SELECT count(*) FROM campaigns") == 15);
    CHECK(scalar(ads, "SELECT max(id) FROM campaigns") == 15);
    CHECK(text(ads, kFingerprint) == fingerprint);
  }
  {
    INFO("invalid counts: exit 2 naming the option");
    const auto bad = run_promptsales({"seed", "--organizations", "0", "--replace"}, env);
    INFO(describe(bad));
    CHECK(bad.exit_code == 2);
    CHECK_THAT(bad.err, Catch::Contains("organizations"));
    CHECK(scalar(ads, "SELECT count(*) FROM campaigns") == 15);
  }
}
