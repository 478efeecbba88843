// Migrator against a real PostgreSQL: apply, idempotence, status, changed
// files, rollback of a failing migration, and concurrent migrators.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <pqxx/pqxx>

#include "promptsales/common/db/migrations.hpp"
#include "promptsales/common/errors.hpp"
#include "promptsales/common/hash.hpp"
#include "promptsales/common/time.hpp"
#include "temp_dir.hpp"
#include "test_env.hpp"

using namespace promptsales;
using promptsales::db::directory_migrations;
using promptsales::db::MigrationState;
using promptsales::db::Migrator;
using promptsales::test::TempDir;
using promptsales::test::TestDatabase;

namespace {

constexpr const char* kKind = "testkind";

const char* kFirst = "CREATE TABLE widgets (id serial PRIMARY KEY, name text NOT NULL);\n";
const char* kSecond =
    "CREATE TABLE migration_log (what text);\n"
    "INSERT INTO migration_log VALUES ('second ran');\n"
    "ALTER TABLE widgets ADD COLUMN colour text;\n";
const char* kThird = "CREATE INDEX widgets_name ON widgets (name);\n";

long long scalar(const std::string& url, const std::string& sql) {
  pqxx::connection c(url);
  pqxx::nontransaction tx(c);
  return tx.exec(sql)[0][0].as<long long>();
}

bool table_exists(const std::string& url, const std::string& table) {
  pqxx::connection c(url);
  pqxx::nontransaction tx(c);
  return tx.exec_params("SELECT to_regclass($1) IS NOT NULL", table)[0][0].as<bool>();
}

std::map<int, std::string> recorded(const std::string& url) {
  pqxx::connection c(url);
  pqxx::nontransaction tx(c);
  std::map<int, std::string> out;
  for (const auto& r : tx.exec("SELECT version, name || '|' || kind || '|' || checksum FROM schema_migrations"))
    out[r[0].as<int>()] = r[1].as<std::string>();
  return out;
}

std::string config_error_message(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const ConfigError& e) {
    return e.what();
  }
  FAIL("expected a ConfigError");
  return {};
}

}  // namespace

TEST_CASE("migrations: directory files are parsed and ordered", "[db][migrations]") {
  TempDir dir;
  dir.write(std::string(kKind) + "/10_later.sql", "SELECT 10;");
  dir.write(std::string(kKind) + "/2_earlier.sql", "SELECT 2;");
  dir.write(std::string(kKind) + "/0001_first.sql", "SELECT 1;");
  dir.write(std::string(kKind) + "/README.md", "not a migration");
  dir.write(std::string(kKind) + "/0003_x.sql.bak", "ignored");
  const auto ms = directory_migrations(dir.str(), kKind);
  REQUIRE(ms.size() == 3);
  CHECK(ms[0].version == 1);
  CHECK(ms[0].name == "0001_first");
  CHECK(ms[0].sql == "SELECT 1;");
  CHECK(ms[0].checksum == sha256_hex("SELECT 1;"));
  CHECK(ms[1].version == 2);
  CHECK(ms[2].version == 10);
  CHECK(ms[2].name == "10_later");
}

TEST_CASE("migrations: bad directories and file names are refused", "[db][migrations]") {
  TempDir dir;
  SECTION("missing folder") {
    CHECK_THAT(config_error_message([&] { directory_migrations(dir.str(), "nope"); }), Catch::Contains("nope"));
  }
  SECTION("file name without a version") {
    dir.write(std::string(kKind) + "/create_things.sql", "SELECT 1;");
    CHECK_THAT(config_error_message([&] { directory_migrations(dir.str(), kKind); }),
               Catch::Contains("create_things.sql"));
  }
  SECTION("file name with a non-numeric version") {
    dir.write(std::string(kKind) + "/v1_things.sql", "SELECT 1;");
    CHECK_THROWS_AS(directory_migrations(dir.str(), kKind), ConfigError);
  }
  SECTION("duplicate versions name both files") {
    dir.write(std::string(kKind) + "/0001_a.sql", "SELECT 1;");
    dir.write(std::string(kKind) + "/1_b.sql", "SELECT 2;");
    const auto msg = config_error_message([&] { directory_migrations(dir.str(), kKind); });
    CHECK_THAT(msg, Catch::Contains("0001_a"));
    CHECK_THAT(msg, Catch::Contains("1_b"));
  }
  SECTION("a version too large for an integer is a ConfigError, not a crash") {
    dir.write(std::string(kKind) + "/99999999999_huge.sql", "SELECT 1;");
    CHECK_THROWS_AS(directory_migrations(dir.str(), kKind), ConfigError);
  }
}

TEST_CASE("migrations: the built-in migrations match sql/", "[db][migrations]") {
  const auto kinds = db::migration_kinds();
  CHECK(std::find(kinds.begin(), kinds.end(), "control") != kinds.end());
  CHECK(std::find(kinds.begin(), kinds.end(), "ads") != kinds.end());
  for (const auto& kind : kinds) {
    INFO(kind);
    const auto embedded = db::embedded_migrations(kind);
    const auto on_disk = directory_migrations(std::string(PROMPTSALES_SOURCE_DIR) + "/sql", kind);
    REQUIRE(embedded.size() == on_disk.size());
    REQUIRE_FALSE(embedded.empty());
    for (std::size_t i = 0; i < embedded.size(); ++i) {
      CHECK(embedded[i].name == on_disk[i].name);
      CHECK(embedded[i].checksum == on_disk[i].checksum);
    }
  }
}

TEST_CASE("migrations: dry run, apply, then re-run is a no-op", "[db][migrations]") {
  TestDatabase database;
  TempDir dir;
  dir.write(std::string(kKind) + "/0001_widgets.sql", kFirst);
  dir.write(std::string(kKind) + "/0002_log.sql", kSecond);
  const Migrator migrator(kKind, directory_migrations(dir.str(), kKind));
  pqxx::connection conn(database.url());

  // A dry run reports what it would apply and changes nothing.
  const auto dry = migrator.migrate(conn, true);
  CHECK(dry.applied == std::vector<std::string>{"0001_widgets", "0002_log"});
  CHECK_FALSE(table_exists(database.url(), "widgets"));
  CHECK_FALSE(table_exists(database.url(), "schema_migrations"));

  std::vector<std::string> reported;
  const auto first = migrator.migrate(conn, false, [&](const std::string& n) { reported.push_back(n); });
  CHECK(first.applied == std::vector<std::string>{"0001_widgets", "0002_log"});
  CHECK(first.already_applied == 0);
  CHECK(reported == first.applied);
  CHECK(table_exists(database.url(), "widgets"));
  CHECK(scalar(database.url(), "SELECT count(*) FROM migration_log") == 1);

  const auto rows = recorded(database.url());
  REQUIRE(rows.size() == 2);
  CHECK(rows.at(1) == std::string("0001_widgets|") + kKind + "|" + sha256_hex(kFirst));
  CHECK(rows.at(2) == std::string("0002_log|") + kKind + "|" + sha256_hex(kSecond));

  reported.clear();
  const auto second = migrator.migrate(conn, false, [&](const std::string& n) { reported.push_back(n); });
  CHECK(second.applied.empty());
  CHECK(second.already_applied == 2);
  CHECK(reported.empty());
  CHECK(scalar(database.url(), "SELECT count(*) FROM migration_log") == 1);  // not run twice

  // A new file is applied on its own.
  dir.write(std::string(kKind) + "/0003_index.sql", kThird);
  const Migrator newer(kKind, directory_migrations(dir.str(), kKind));
  const auto third = newer.migrate(conn, false);
  CHECK(third.applied == std::vector<std::string>{"0003_index"});
  CHECK(third.already_applied == 2);
  CHECK(newer.migrate(conn, true).applied.empty());  // dry run: nothing left
}

TEST_CASE("migrations: status states", "[db][migrations]") {
  TestDatabase database;
  TempDir dir;
  dir.write(std::string(kKind) + "/0001_widgets.sql", kFirst);
  dir.write(std::string(kKind) + "/0002_log.sql", kSecond);
  pqxx::connection conn(database.url());
  const auto all = directory_migrations(dir.str(), kKind);

  // Nothing applied yet; status does not create the bookkeeping table.
  auto status = Migrator(kKind, all).status(conn);
  REQUIRE(status.size() == 2);
  for (const auto& s : status) {
    CHECK(s.state == MigrationState::pending);
    CHECK_FALSE(s.applied_at.has_value());
    CHECK_FALSE(s.execution_ms.has_value());
  }
  CHECK_FALSE(table_exists(database.url(), "schema_migrations"));

  // Apply only the first.
  Migrator(kKind, {all[0]}).migrate(conn, false);
  status = Migrator(kKind, all).status(conn);
  REQUIRE(status.size() == 2);
  CHECK(status[0].version == 1);
  CHECK(status[0].name == "0001_widgets");
  CHECK(status[0].state == MigrationState::applied);
  REQUIRE(status[0].applied_at.has_value());
  CHECK(normalize_iso8601(*status[0].applied_at).has_value());
  CHECK(status[0].execution_ms.has_value());
  CHECK(status[1].state == MigrationState::pending);

  // Changed file.
  auto changed = all;
  changed[0].sql += "-- edited\n";
  changed[0].checksum = sha256_hex(changed[0].sql);
  status = Migrator(kKind, changed).status(conn);
  CHECK(status[0].state == MigrationState::changed);

  // Applied in the database, unknown to the file set.
  Migrator(kKind, all).migrate(conn, false);
  status = Migrator(kKind, {all[1]}).status(conn);
  REQUIRE(status.size() == 2);
  CHECK(status[0].version == 1);
  CHECK(status[0].state == MigrationState::unknown);
  CHECK(status[0].name == "0001_widgets");
  CHECK(status[1].state == MigrationState::applied);
}

TEST_CASE("migrations: a changed applied file is refused with a clear message", "[db][migrations]") {
  TestDatabase database;
  TempDir dir;
  dir.write(std::string(kKind) + "/0001_widgets.sql", kFirst);
  pqxx::connection conn(database.url());
  Migrator(kKind, directory_migrations(dir.str(), kKind)).migrate(conn, false);

  dir.write(std::string(kKind) + "/0001_widgets.sql", std::string(kFirst) + "ALTER TABLE widgets ADD COLUMN x int;\n");
  dir.write(std::string(kKind) + "/0002_log.sql", kSecond);
  const Migrator edited(kKind, directory_migrations(dir.str(), kKind));
  const auto msg = config_error_message([&] { edited.migrate(conn, false); });
  CHECK_THAT(msg, Catch::Contains(std::string(kKind) + "/0001_widgets.sql"));
  CHECK_THAT(msg, Catch::Contains("changed after it was applied"));
  CHECK_THAT(msg, Catch::Contains(sha256_hex(kFirst).substr(0, 12)));
  CHECK_THAT(msg, Catch::Contains("new migration"));
  // Nothing after it ran.
  CHECK_FALSE(table_exists(database.url(), "migration_log"));
  CHECK(recorded(database.url()).size() == 1);
  // Dry runs refuse it too.
  CHECK_THROWS_AS(edited.migrate(conn, true), ConfigError);

  // Migrations of another kind are refused on this database.
  dir.write("otherkind/0001_b.sql", "CREATE TABLE b (x int);");
  const auto wrong = config_error_message(
      [&] { Migrator("otherkind", directory_migrations(dir.str(), "otherkind")).migrate(conn, false); });
  CHECK_THAT(wrong, Catch::Contains(kKind));
  CHECK_THAT(wrong, Catch::Contains("otherkind"));
  CHECK_FALSE(table_exists(database.url(), "b"));
}

TEST_CASE("migrations: a failing migration rolls back entirely and is not recorded", "[db][migrations]") {
  TestDatabase database;
  TempDir dir;
  dir.write(std::string(kKind) + "/0001_widgets.sql", kFirst);
  dir.write(std::string(kKind) + "/0002_broken.sql",
            "CREATE TABLE half_done (x int);\n"
            "INSERT INTO half_done VALUES (1);\n"
            "INSERT INTO widgets (name) VALUES ('from broken');\n"
            "SELECT 1 / 0;\n");
  dir.write(std::string(kKind) + "/0003_index.sql", kThird);
  pqxx::connection conn(database.url());
  const Migrator migrator(kKind, directory_migrations(dir.str(), kKind));
  const auto msg = config_error_message([&] { migrator.migrate(conn, false); });
  CHECK_THAT(msg, Catch::Contains("0002_broken"));
  CHECK_THAT(msg, Catch::Contains("rolled back"));

  CHECK(table_exists(database.url(), "widgets"));  // 0001 committed on its own
  CHECK_FALSE(table_exists(database.url(), "half_done"));
  CHECK(scalar(database.url(), "SELECT count(*) FROM widgets") == 0);
  CHECK_FALSE(table_exists(database.url(), "widgets_name"));  // 0003 never ran
  const auto rows = recorded(database.url());
  CHECK(rows.size() == 1);
  CHECK(rows.count(2) == 0);

  // The lock was released and the connection still works: fix and re-run.
  dir.write(std::string(kKind) + "/0002_broken.sql", "CREATE TABLE half_done (x int);\n");
  const auto fixed = Migrator(kKind, directory_migrations(dir.str(), kKind)).migrate(conn, false);
  CHECK(fixed.applied == std::vector<std::string>{"0002_broken", "0003_index"});
  CHECK(fixed.already_applied == 1);
}

TEST_CASE("migrations: concurrent migrators apply each migration exactly once", "[db][migrations][concurrency]") {
  TempDir dir;
  dir.write(std::string(kKind) + "/0001_widgets.sql", kFirst);
  // Slow enough that the migrators overlap.
  dir.write(std::string(kKind) + "/0002_log.sql", std::string(kSecond) + "SELECT pg_sleep(0.2);\n");
  dir.write(std::string(kKind) + "/0003_index.sql", kThird);
  const Migrator migrator(kKind, directory_migrations(dir.str(), kKind));

  // A fresh database: the race is at the very first moment.
  for (int round = 0; round < 1; ++round) {
    INFO("round " << round);
    TestDatabase database;
    constexpr int kMigrators = 4;
    std::vector<std::thread> threads;
    std::mutex mutex;
    std::vector<std::string> applied;
    std::vector<std::string> errors;
    std::atomic<int> ready{0};
    for (int i = 0; i < kMigrators; ++i) {
      threads.emplace_back([&] {
        try {
          pqxx::connection conn(database.url());
          ++ready;
          while (ready.load() < kMigrators) std::this_thread::yield();
          const auto r = migrator.migrate(conn, false);
          std::lock_guard lock(mutex);
          applied.insert(applied.end(), r.applied.begin(), r.applied.end());
        } catch (const std::exception& e) {
          std::lock_guard lock(mutex);
          errors.push_back(e.what());
        }
      });
    }
    for (auto& t : threads) t.join();
    for (const auto& e : errors) UNSCOPED_INFO("migrator failed: " << e);
    CHECK(errors.empty());
    std::sort(applied.begin(), applied.end());
    CHECK(applied == std::vector<std::string>{"0001_widgets", "0002_log", "0003_index"});
    CHECK(scalar(database.url(), "SELECT count(*) FROM migration_log") == 1);
    CHECK(recorded(database.url()).size() == 3);
  }
}
