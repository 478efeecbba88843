// End-to-end: `db status` and `db migrate` on a database of the test's own.
#include <catch2/catch.hpp>

#include <string>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "cli_output.hpp"
#include "temp_dir.hpp"
#include "promptsales/common/db/migrations.hpp"
#include "test_env.hpp"

using promptsales::test::describe;
using promptsales::test::drop_database;
using promptsales::test::run_promptsales;
using promptsales::test::stdout_json;
using promptsales::test::TestDatabase;

namespace {

struct DropLater {
  std::string name;
  ~DropLater() {
    try {
      drop_database(name);
    } catch (...) {
    }
  }
};

void check_status_shape(const nlohmann::json& databases) {
  REQUIRE(databases.is_array());
  for (const auto& d : databases) {
    INFO(d.dump());
    CHECK(d.at("database").is_string());
    CHECK(d.at("kind").is_string());
    CHECK(d.at("url").is_string());
    CHECK(d.at("created").is_boolean());
    CHECK(d.at("applied").is_array());
    CHECK(d.at("alreadyApplied").is_number_unsigned());
    REQUIRE(d.at("migrations").is_array());
    for (const auto& m : d.at("migrations")) {
      CHECK(m.at("version").is_number_integer());
      CHECK(m.at("name").is_string());
      CHECK(m.at("state").is_string());
      CHECK(m.contains("appliedAt"));
    }
  }
}

}  // namespace

TEST_CASE("cli: db migrate is idempotent and db status reports it", "[cli][db]") {
  TestDatabase control("psc");
  DropLater drop{control.name() + "_ads"};
  DropLater drop_crm{control.name() + "_crm"};
  const std::map<std::string, std::string> env = {{"PROMPTSALES_DATABASE_URL", control.url()}, {"PROMPTSALES_CONFIG", ""}};
  const auto control_migrations = promptsales::db::embedded_migrations("control").size();
  const auto ads_migrations = promptsales::db::embedded_migrations("ads").size();
  const auto crm_migrations = promptsales::db::embedded_migrations("crm").size();

  {
    INFO("before the first migrate: status shows pending (exit 3), not an error");
    const auto r = run_promptsales({"db", "status", "-o", "json"}, env);
    INFO(describe(r));
    CHECK(r.exit_code == 3);
    if (r.exit_code == 3) {
      const auto j = stdout_json(r);
      CHECK(j.at("upToDate") == false);
      check_status_shape(j.at("databases"));
      CHECK(j.at("databases").at(0).at("migrations").at(0).at("state") == "pending");
    }
  }

  {
    INFO("first migrate creates the ads database and applies everything");
    const auto r = run_promptsales({"db", "migrate", "-o", "json"}, env);
    INFO(describe(r));
    REQUIRE(r.exit_code == 0);
    const auto j = stdout_json(r);
    CHECK(j.at("dryRun") == false);
    const auto& dbs = j.at("databases");
    check_status_shape(dbs);
    REQUIRE(dbs.size() == 3);
    CHECK(dbs[0].at("database") == "control");
    CHECK(dbs[0].at("kind") == "control");
    CHECK(dbs[0].at("created") == false);
    CHECK(dbs[0].at("applied").size() == control_migrations);
    CHECK(dbs[0].at("alreadyApplied") == 0);
    CHECK(dbs[1].at("database") == "promptads");
    CHECK(dbs[1].at("kind") == "ads");
    CHECK(dbs[1].at("created") == true);
    CHECK(dbs[1].at("applied").size() == ads_migrations);
    CHECK_THAT(dbs[1].at("url").get<std::string>(), Catch::Contains(control.name() + "_ads"));
    CHECK(dbs[2].at("database") == "promptcrm");
    CHECK(dbs[2].at("kind") == "crm");
    CHECK(dbs[2].at("created") == true);
    CHECK(dbs[2].at("applied").size() == crm_migrations);
  }

  {
    INFO("second migrate applies 0");
    const auto r = run_promptsales({"db", "migrate", "-o", "json"}, env);
    INFO(describe(r));
    REQUIRE(r.exit_code == 0);
    const auto j = stdout_json(r);
    std::size_t applied = 0, already = 0;
    for (const auto& d : j.at("databases")) {
      applied += d.at("applied").size();
      already += d.at("alreadyApplied").get<std::size_t>();
      CHECK(d.at("created") == false);
    }
    CHECK(applied == 0);
    CHECK(already == control_migrations + ads_migrations + crm_migrations);
  }

  {
    INFO("status: up to date, exit 0, JSON shape");
    const auto r = run_promptsales({"db", "status", "-o", "json"}, env);
    INFO(describe(r));
    CHECK(r.exit_code == 0);
    const auto j = stdout_json(r);
    CHECK(j.at("upToDate") == true);
    check_status_shape(j.at("databases"));
    REQUIRE(j.at("databases").size() == 3);
    for (const auto& d : j.at("databases")) {
      for (const auto& m : d.at("migrations")) {
        CHECK(m.at("state") == "applied");
        CHECK(m.at("appliedAt").is_string());
      }
    }
  }

  {
    INFO("table output");
    const auto r = run_promptsales({"db", "status"}, env);
    INFO(describe(r));
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("MIGRATION"));
    CHECK_THAT(r.out, Catch::Contains("promptads"));
    CHECK_THAT(r.out, Catch::Contains("applied"));
  }

  {
    INFO("an applied migration changed in --sql-dir: status exit 3, migrate refuses with exit 2");
    promptsales::test::TempDir dir;
    for (const auto& kind : promptsales::db::migration_kinds()) {
      for (const auto& m : promptsales::db::embedded_migrations(kind)) dir.write(kind + "/" + m.name + ".sql", m.sql);
    }
    const auto first = promptsales::db::embedded_migrations("ads").front();
    dir.write("ads/" + first.name + ".sql", first.sql + "\n-- edited after release\n");
    const auto status = run_promptsales({"db", "status", "--sql-dir", dir.str(), "-o", "json"}, env);
    INFO(describe(status));
    CHECK(status.exit_code == 3);
    const auto j = stdout_json(status);
    CHECK(j.at("upToDate") == false);
    CHECK(j.at("databases").at(1).at("migrations").at(0).at("state") == "CHANGED");

    const auto migrate = run_promptsales({"db", "migrate", "--sql-dir", dir.str()}, env);
    INFO(describe(migrate));
    CHECK(migrate.exit_code == 2);
    CHECK_THAT(migrate.err, Catch::Contains(first.name));
    CHECK_THAT(migrate.err, Catch::Contains("changed after it was applied"));
  }
}

TEST_CASE("cli: db stats ranks the statements pg_stat_statements recorded", "[cli][db]") {
  TestDatabase control("psstats");
  const std::map<std::string, std::string> env = {{"PROMPTSALES_DATABASE_URL", control.url()}, {"PROMPTSALES_CONFIG", ""}};

  SECTION("without the extension the message says what to install") {
    const auto r = run_promptsales({"db", "stats"}, env);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("pg_stat_statements is not installed in database \"" + control.name() + "\""));
  }

  SECTION("the statement run most often comes first by calls") {
    {
      pqxx::connection conn(control.url());
      pqxx::nontransaction tx(conn);
      tx.exec("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
      tx.exec("CREATE TABLE stats_marker_often (id int)");
      tx.exec("CREATE TABLE stats_marker_once (id int)");
      tx.exec("INSERT INTO stats_marker_often SELECT generate_series(1, 5)");
      for (int i = 0; i < 25; ++i) tx.exec("SELECT count(*) FROM stats_marker_often");
      tx.exec("SELECT count(*) FROM stats_marker_once");
    }
    const auto r = run_promptsales(
        {"db", "stats", "--top", "1000", "--order-by", "calls", "--database", control.name(), "-o", "json"}, env);
    REQUIRE(r.exit_code == 0);
    const auto out = stdout_json(r);
    CHECK(out.at("orderBy") == "calls");
    const auto& statements = out.at("statements");
    REQUIRE(statements.is_array());
    long often_rank = -1;
    long once_rank = -1;
    for (std::size_t i = 0; i < statements.size(); ++i) {
      const auto& s = statements[i];
      CHECK(s.at("database") == control.name());
      const auto query = s.at("query").get<std::string>();
      if (query == "SELECT count(*) FROM stats_marker_often") {
        often_rank = static_cast<long>(i);
        CHECK(s.at("calls").get<long>() >= 25);
        CHECK(s.at("rows").get<long>() >= 25);
        CHECK(s.at("totalMs").get<double>() >= 0);
        CHECK(s.at("meanMs").get<double>() <= s.at("maxMs").get<double>());
      }
      if (query == "SELECT count(*) FROM stats_marker_once") once_rank = static_cast<long>(i);
    }
    REQUIRE(often_rank >= 0);
    REQUIRE(once_rank >= 0);
    CHECK(often_rank < once_rank);
    for (std::size_t i = 1; i < statements.size(); ++i) {
      CHECK(statements[i - 1].at("calls").get<long>() >= statements[i].at("calls").get<long>());
    }

    const auto top1 = run_promptsales({"db", "stats", "--top", "1", "--database", control.name(), "-o", "json"}, env);
    REQUIRE(top1.exit_code == 0);
    CHECK(stdout_json(top1).at("statements").size() == 1);

    const auto table = run_promptsales({"db", "stats", "--top", "5", "--width", "20"}, env);
    REQUIRE(table.exit_code == 0);
    CHECK_THAT(table.out, Catch::Contains("TOTAL MS"));
  }

  SECTION("bad options name themselves") {
    const auto zero = run_promptsales({"db", "stats", "--top", "0"}, env);
    CHECK(zero.exit_code == 2);
    CHECK_THAT(zero.err, Catch::Contains("--top"));
    const auto order = run_promptsales({"db", "stats", "--order-by", "speed"}, env);
    CHECK(order.exit_code == 2);
    CHECK_THAT(order.err, Catch::Contains("--order-by"));
  }
}
