// migrate_installation / installation_status / ensure_database, and the
// sub-company registry, on databases each test creates for itself.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "promptsales/common/db/installation.hpp"
#include "promptsales/common/db/pool.hpp"
#include "promptsales/common/db/url.hpp"
#include "promptsales/common/errors.hpp"
#include "promptsales/common/organizations.hpp"
#include "promptsales/common/registry.hpp"
#include "promptsales/common/time.hpp"
#include "test_env.hpp"
#include "unique_name.hpp"

using namespace promptsales;
using promptsales::test::admin_database_url;
using promptsales::test::drop_database;
using promptsales::test::TestDatabase;

namespace {

bool database_exists(const std::string& name) {
  pqxx::connection c(admin_database_url());
  pqxx::nontransaction tx(c);
  return !tx.exec_params("SELECT 1 FROM pg_database WHERE datname = $1", name).empty();
}

bool table_exists(const std::string& url, const std::string& table) {
  pqxx::connection c(url);
  pqxx::nontransaction tx(c);
  return tx.exec_params("SELECT to_regclass($1) IS NOT NULL", table)[0][0].as<bool>();
}

/// Drops a database this test may have created, whatever happens.
struct DropLater {
  std::string name;
  ~DropLater() {
    try {
      drop_database(name);
    } catch (...) {
    }
  }
};

std::vector<std::string> names_of(const std::vector<db::Migration>& ms) {
  std::vector<std::string> out;
  for (const auto& m : ms) out.push_back(m.name);
  return out;
}

/// A control database with only the control schema (no sub-company databases).
void migrate_control_only(const std::string& url) {
  pqxx::connection c(url);
  db::Migrator("control", db::embedded_migrations("control")).migrate(c, false);
}

template <typename E, typename Fn>
E expect_error(Fn&& fn) {
  try {
    fn();
  } catch (const E& e) {
    return e;
  }
  FAIL("expected exception not thrown");
  throw;
}

}  // namespace

TEST_CASE("installation: migrate creates the ads database through the registry", "[db][installation]") {
  TestDatabase control("psi");
  const std::string ads_name = control.name() + "_ads";
  DropLater drop{ads_name};
  DropLater drop_crm{control.name() + "_crm"};
  REQUIRE_FALSE(database_exists(ads_name));

  db::InstallationOptions options;
  options.control_url = control.url();
  std::vector<std::string> events;
  options.on_applied = [&](const std::string& role, const std::string& name) { events.push_back(role + "/" + name); };
  const auto reports = db::migrate_installation(options);

  REQUIRE(reports.size() == 3);
  CHECK(reports[0].role == "control");
  CHECK(reports[0].kind == "control");
  CHECK_FALSE(reports[0].created);  // it existed
  CHECK(reports[0].applied == names_of(db::embedded_migrations("control")));
  CHECK(reports[0].already_applied == 0);
  CHECK(reports[0].url == control.url());  // no password to mask: unchanged

  CHECK(reports[1].role == "promptads");
  CHECK(reports[1].kind == "ads");
  CHECK(reports[1].created);
  CHECK(reports[1].applied == names_of(db::embedded_migrations("ads")));
  CHECK(db::database_name(reports[1].url) == ads_name);
  CHECK(reports[2].role == "promptcrm");
  CHECK(reports[2].kind == "crm");
  CHECK(reports[2].created);
  CHECK(reports[2].applied == names_of(db::embedded_migrations("crm")));
  for (const auto& r : reports) {
    for (const auto& s : r.status) CHECK(s.state == db::MigrationState::applied);
  }

  CHECK(database_exists(ads_name));
  CHECK(table_exists(control.url(), "subcompanies"));
  CHECK(table_exists(control.url(), "organizations"));
  CHECK(table_exists(db::with_database(control.url(), ads_name), "campaigns"));
  CHECK_FALSE(table_exists(control.url(), "campaigns"));  // each schema in its own database

  std::vector<std::string> expected_events;
  for (const auto& n : reports[0].applied) expected_events.push_back("control/" + n);
  for (const auto& n : reports[1].applied) expected_events.push_back("promptads/" + n);
  for (const auto& n : reports[2].applied) expected_events.push_back("promptcrm/" + n);
  CHECK(events == expected_events);

  // A second run applies nothing.
  events.clear();
  const auto again = db::migrate_installation(options);
  REQUIRE(again.size() == 3);
  for (const auto& r : again) {
    CHECK(r.applied.empty());
    CHECK_FALSE(r.created);
    CHECK(r.already_applied == r.status.size());
  }
  CHECK(events.empty());

  // Status: everything applied, nothing changed.
  const auto status = db::installation_status(options);
  REQUIRE(status.size() == 3);
  for (const auto& r : status) {
    CHECK(r.applied.empty());
    CHECK_FALSE(r.status.empty());
    for (const auto& s : r.status) CHECK(s.state == db::MigrationState::applied);
  }
}

TEST_CASE("installation: dry run and status before and after the control schema", "[db][installation]") {
  // The first `db migrate --dry-run` / `db status` of a new installation: the
  // control database exists but holds no schema (no registry) yet.
  TestDatabase control("psi");
  DropLater drop{control.name() + "_ads"};
  DropLater drop_crm{control.name() + "_crm"};
  db::InstallationOptions options;
  options.control_url = control.url();

  // Dry run: reports the control migrations it would apply, changes nothing.
  options.dry_run = true;
  try {
    const auto reports = db::migrate_installation(options);
    REQUIRE_FALSE(reports.empty());
    CHECK(reports[0].role == "control");
    CHECK(reports[0].applied == names_of(db::embedded_migrations("control")));
  } catch (const std::exception& e) {
    FAIL_CHECK("migrate --dry-run on an empty control database threw: " << e.what());
  }
  CHECK_FALSE(table_exists(control.url(), "subcompanies"));
  CHECK_FALSE(table_exists(control.url(), "schema_migrations"));

  // Status: every control migration pending.
  options.dry_run = false;
  try {
    const auto reports = db::installation_status(options);
    REQUIRE_FALSE(reports.empty());
    CHECK(reports[0].status.size() == db::embedded_migrations("control").size());
    for (const auto& s : reports[0].status) CHECK(s.state == db::MigrationState::pending);
  } catch (const std::exception& e) {
    FAIL_CHECK("status on an empty control database threw: " << e.what());
  }
  CHECK_FALSE(table_exists(control.url(), "schema_migrations"));

  // Once the control schema is in: the dry run reads the registry and
  // reports the sub-company database it would create.
  migrate_control_only(control.url());
  options.dry_run = true;
  const auto reports = db::migrate_installation(options);
  REQUIRE(reports.size() == 3);
  CHECK(reports[0].applied.empty());
  CHECK(reports[0].already_applied == db::embedded_migrations("control").size());
  CHECK(reports[1].created);  // would create
  CHECK(reports[1].applied == names_of(db::embedded_migrations("ads")));
  CHECK_FALSE(database_exists(control.name() + "_ads"));

  // Without create_databases, the missing sub-company database is an error.
  options.dry_run = false;
  options.create_databases = false;
  CHECK_THROWS_AS(db::migrate_installation(options), Error);
  CHECK_FALSE(database_exists(control.name() + "_ads"));
}

TEST_CASE("installation: dry run on a missing control database creates nothing", "[db][installation]") {
  const std::string missing = promptsales::test::unique_name("pst_missing");
  DropLater drop{missing};
  db::InstallationOptions options;
  options.control_url = db::with_database(admin_database_url(), missing);
  options.dry_run = true;
  const auto reports = db::migrate_installation(options);
  REQUIRE(reports.size() == 1);  // no registry to read yet
  CHECK(reports[0].created);
  CHECK(reports[0].applied == names_of(db::embedded_migrations("control")));
  CHECK_FALSE(database_exists(missing));
}


TEST_CASE("ensure_database", "[db][installation]") {
  const std::string name = promptsales::test::unique_name("pst_ensure");
  DropLater drop{name};
  const auto url = db::with_database(admin_database_url(), name);
  CHECK(db::ensure_database(url));
  CHECK(database_exists(name));
  CHECK_FALSE(db::ensure_database(url));
  CHECK_THROWS_AS(db::ensure_database(db::with_database(admin_database_url(), "bad-name")), ConfigError);
  CHECK_THROWS_AS(db::ensure_database(db::with_database(admin_database_url(), "x\"; DROP DATABASE postgres; --")),
                  ConfigError);
}

TEST_CASE("registry: list, locate and add", "[registry]") {
  TestDatabase control("psr");
  migrate_control_only(control.url());
  pqxx::connection conn(control.url());
  const SubcompanyRegistry registry(control.url());
  const auto count = [&] {
    pqxx::nontransaction tx(conn);
    return tx.exec("SELECT count(*) FROM subcompanies")[0][0].as<int>();
  };
  const auto exec = [&](const std::string& sql) {
    pqxx::work tx(conn);
    tx.exec(sql);
    tx.commit();
  };

  // The control migrations register PromptAds and PromptCrm; this test
  // works the registry with PromptAds alone.
  exec("DELETE FROM subcompanies WHERE code = 'promptcrm'");
  const auto all = registry.list(conn);
  REQUIRE(all.size() == 1);
  const auto& ads = all[0];
  CHECK(ads.code == "promptads");
  CHECK(ads.name == "PromptAds");
  CHECK(ads.kind == "ads");
  CHECK(ads.location == "{control}_ads");
  CHECK(ads.url == db::with_database(control.url(), control.name() + "_ads"));
  CHECK(ads.enabled);
  CHECK(nlohmann::json::parse(ads.branding)["displayName"] == "PromptAds");
  CHECK(nlohmann::json::parse(ads.endpoints).is_object());
  CHECK(nlohmann::json::parse(ads.policies)["dataRetentionDays"] == 730);
  const auto located = registry.locate(conn, "ads");
  CHECK(located.id == ads.id);
  CHECK(located.url == ads.url);
  CHECK_THAT(expect_error<ConfigError>([&] { registry.locate(conn, "crm"); }).what(), Catch::Contains("crm"));

  NewSubcompany good;
  good.code = "adsnext";
  good.name = "PromptAds Next";
  good.kind = "ads";
  good.location = "{control}_ads_next";
  good.branding = R"({"displayName":"Next"})";

  // Validation names the field and inserts nothing.
  struct Case {
    const char* field;
    void (*mutate)(NewSubcompany&);
  };
  const Case cases[] = {
      {"code", [](NewSubcompany& s) { s.code = ""; }},
      {"code", [](NewSubcompany& s) { s.code = "a"; }},
      {"code", [](NewSubcompany& s) { s.code = "Ads"; }},
      {"code", [](NewSubcompany& s) { s.code = "1ads"; }},
      {"code", [](NewSubcompany& s) { s.code = "ads-next"; }},
      {"code", [](NewSubcompany& s) { s.code = std::string(41, 'a'); }},
      {"name", [](NewSubcompany& s) { s.name = ""; }},
      {"name", [](NewSubcompany& s) { s.name = std::string(121, 'n'); }},
      {"kind", [](NewSubcompany& s) { s.kind = "billing"; }},
      {"kind", [](NewSubcompany& s) { s.kind = "control"; }},
      {"kind", [](NewSubcompany& s) { s.kind = ""; }},
      {"database", [](NewSubcompany& s) { s.location = ""; }},
      {"branding", [](NewSubcompany& s) { s.branding = "[]"; }},
      {"branding", [](NewSubcompany& s) { s.branding = "{"; }},
      {"endpoints", [](NewSubcompany& s) { s.endpoints = "not json"; }},
      {"policies", [](NewSubcompany& s) { s.policies = "1"; }},
  };
  for (const auto& c : cases) {
    INFO("field " << c.field);
    auto s = good;
    c.mutate(s);
    CHECK(expect_error<ValidationError>([&] { registry.add(conn, s); }).field() == c.field);
  }
  {
    // The message lists the kinds that do exist.
    auto billing = good;
    billing.kind = "billing";
    CHECK_THAT(expect_error<ValidationError>([&] { registry.add(conn, billing); }).what(), Catch::Contains("ads"));
  }
  {
    // A malformed location is a bad field too: ValidationError naming it.
    auto bad = good;
    bad.location = "bad-name; DROP TABLE subcompanies";
    try {
      registry.add(conn, bad);
      FAIL("accepted a malformed location");
    } catch (const ValidationError& e) {
      CHECK(e.field() == "database");
    } catch (const std::exception& e) {
      FAIL_CHECK("add() documents ValidationError for a bad field but threw: " << e.what());
    }
  }
  CHECK(count() == 1);

  // One enabled sub-company per kind: Conflict.
  CHECK_THAT(expect_error<Conflict>([&] { registry.add(conn, good); }).what(), Catch::Contains("adsnext"));
  CHECK(count() == 1);

  // A disabled sub-company is listed but not located.
  exec("UPDATE subcompanies SET enabled = false WHERE code = 'promptads'");
  CHECK_THROWS_AS(registry.locate(conn, "ads"), ConfigError);
  REQUIRE(registry.list(conn).size() == 1);
  CHECK_FALSE(registry.list(conn)[0].enabled);

  // With the old one disabled, the new one is added and located.
  const auto added = registry.add(conn, good);
  CHECK(added.id > 0);
  CHECK(added.code == "adsnext");
  CHECK(added.name == "PromptAds Next");
  CHECK(added.kind == "ads");
  CHECK(added.location == "{control}_ads_next");
  CHECK(added.enabled);
  CHECK(added.url == db::with_database(control.url(), control.name() + "_ads_next"));
  CHECK(nlohmann::json::parse(added.branding)["displayName"] == "Next");
  CHECK(nlohmann::json::parse(added.policies).empty());
  CHECK(registry.locate(conn, "ads").code == "adsnext");
  CHECK(registry.list(conn).size() == 2);

  // The same code again is a Conflict, even with no enabled one of the kind.
  exec("UPDATE subcompanies SET enabled = false WHERE code = 'adsnext'");
  CHECK_THROWS_AS(registry.add(conn, good), Conflict);
  CHECK(count() == 2);

  // A full URL location is kept as is.
  auto remote = good;
  remote.code = "adsremote";
  remote.location = "postgresql://ads@elsewhere:5432/ads";
  const auto r = registry.add(conn, remote);
  CHECK(r.location == remote.location);
  CHECK(r.url == "postgresql://ads@elsewhere:5432/ads");
  CHECK(count() == 3);

  // Names are limited to 120 characters (the column's CHECK counts
  // characters), not 120 bytes.
  exec("UPDATE subcompanies SET enabled = false");
  auto unicode = good;
  unicode.code = "adsunicode";
  unicode.name.clear();
  for (int i = 0; i < 100; ++i) unicode.name += "ñ";
  try {
    CHECK(registry.add(conn, unicode).name == unicode.name);
  } catch (const std::exception& e) {
    FAIL_CHECK("a 100-character name was refused: " << e.what());
  }
}

TEST_CASE("organizations: create, exists and list in the control database", "[organizations]") {
  TestDatabase control("pso");
  migrate_control_only(control.url());
  db::PoolOptions o;
  o.url = control.url();
  o.size = 2;
  db::Pool pool(o);
  PgOrganizations organizations(pool);

  const auto acme = organizations.create("Acme", "ES");
  CHECK(acme.id > 0);
  CHECK(acme.name == "Acme");
  CHECK(acme.country == "ES");
  CHECK(acme.enabled);
  CHECK(normalize_iso8601(acme.created_at) == acme.created_at);
  const auto plain = organizations.create("No Country Ltd", std::nullopt);
  CHECK_FALSE(plain.country.has_value());

  CHECK(organizations.exists(acme.id));
  CHECK(organizations.exists(plain.id));
  CHECK_FALSE(organizations.exists(plain.id + 1000));

  {
    INFO("validation names the field and stores nothing");
    for (const char* bad : {"", "   ", "\t"}) {
      CHECK(expect_error<ValidationError>([&] { organizations.create(bad, std::nullopt); }).field() == "name");
    }
    CHECK(expect_error<ValidationError>([&] { organizations.create(std::string(121, 'n'), std::nullopt); }).field() ==
          "name");
    for (const char* bad : {"es", "ESP", "E", "", "1A"}) {
      INFO(bad);
      CHECK(expect_error<ValidationError>([&] { organizations.create("Fine", std::string(bad)); }).field() ==
            "country");
    }
  }
  {
    INFO("the 120 limit counts characters, not bytes (the column's CHECK counts characters)");
    std::string name;
    for (int i = 0; i < 120; ++i) name += "é";
    try {
      const auto unicode = organizations.create(name, "MX");
      CHECK(unicode.name == name);
    } catch (const std::exception& e) {
      FAIL_CHECK("a 120-character name was refused: " << e.what());
    }
  }

  const auto page = organizations.list(10, 0);
  REQUIRE(page.size() >= 2);
  CHECK(page[0].id == acme.id);
  CHECK(page[1].id == plain.id);
  CHECK(organizations.list(1, 1).size() == 1);
  CHECK(organizations.list(1, 1)[0].id == plain.id);
  CHECK(organizations.list(10, 100).empty());
}
