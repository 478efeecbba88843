// End-to-end: `promptsales backup ...` on a seeded installation with real
// PostgreSQL, pg_dump and pg_restore.
#include <catch2/catch.hpp>

#include <chrono>
#include <ctime>
#include <filesystem>

#include "backup_fixture.hpp"

using namespace promptsales::test;
namespace fs = std::filesystem;

namespace {

// Every file under the repository, recursively.
std::vector<fs::path> repository_files(const std::string& root) {
  std::vector<fs::path> out;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.is_regular_file()) out.push_back(e.path());
  }
  return out;
}

}  // namespace

TEST_CASE("run, list, verify, then restore every database: row counts and contents match", "[backup]") {
  BackupInstallation inst;
  const auto run = inst.run({"backup", "run", "-o", "json"});
  INFO(describe(run));
  REQUIRE(run.exit_code == 0);
  const auto manifest = stdout_json(run);
  const auto id = manifest.at("id").get<std::string>();
  const auto databases = inst.databases();
  REQUIRE(databases.size() >= 3);  // control, ads, crm
  REQUIRE(manifest.at("databases").size() == databases.size());
  CHECK(run.err.find("dumping control") != std::string::npos);  // progress on stderr

  {
    INFO("the repository holds no plaintext and only private files");
    for (const auto& f : repository_files(inst.repository())) {
      INFO(f);
      CHECK(read_file(f).find(inst.canary()) == std::string::npos);
      CHECK(read_file(f).find("PGDMP") == std::string::npos);  // the pg_dump archive magic
      CHECK((fs::status(f).permissions() & (fs::perms::group_all | fs::perms::others_all)) == fs::perms::none);
    }
  }

  const auto list = inst.run({"backup", "list", "-o", "json"});
  INFO(describe(list));
  REQUIRE(list.exit_code == 0);
  const auto listed = stdout_json(list);
  REQUIRE(listed.size() == 1);
  CHECK(listed[0].at("id") == id);
  CHECK(listed[0].at("state") == "complete");

  const auto verify = inst.run({"backup", "verify", "-o", "json"});  // the latest by default
  INFO(describe(verify));
  REQUIRE(verify.exit_code == 0);
  const auto verified = stdout_json(verify);
  CHECK(verified.at("id") == id);
  CHECK(verified.at("ok") == true);
  for (const auto& o : verified.at("objects")) CHECK(o.at("archiveEntries").get<int>() > 0);

  for (const auto& [name, url] : databases) {
    INFO("database " << name);
    TestDatabase target("pst_restore");
    const auto restore = inst.run({"backup", "restore", id, "--database", name, "-o", "json"},
                                  {{"PROMPTSALES_RESTORE_TARGET_URL", target.url()}});
    INFO(describe(restore));
    REQUIRE(restore.exit_code == 0);
    const auto original = table_fingerprints(url);
    CHECK(original.size() >= 2);
    CHECK(table_fingerprints(target.url()) == original);
  }
}

TEST_CASE("a flipped byte in any object or in the manifest fails verify and restore", "[backup]") {
  BackupInstallation inst;
  const auto id = inst.backup();
  const auto files = repository_files(inst.repository());
  REQUIRE(files.size() == inst.databases().size() + 1);
  for (const auto& file : files) {
    const auto name = file.filename().string();
    INFO("tampered " << name);
    const auto original = read_file(file);
    auto tampered = original;
    tampered[tampered.size() / 2] = static_cast<char>(tampered[tampered.size() / 2] ^ 0x10);
    write_file(file, tampered);

    const auto verify = inst.run({"backup", "verify", id});
    INFO(describe(verify));
    CHECK(verify.exit_code == 1);
    const bool manifest = name == "manifest.enc";
    CHECK(verify.err.find(manifest ? "manifest refused" : "failed authentication") != std::string::npos);

    const auto database = manifest ? std::string("control") : name.substr(0, name.find('.'));
    TestDatabase target("pst_restore");
    const auto restore = inst.run({"backup", "restore", id, "--database", database, "--target-database", target.url()});
    INFO(describe(restore));
    CHECK(restore.exit_code == 1);
    CHECK(restore.err.find(manifest ? "manifest refused" : "failed authentication") != std::string::npos);
    CHECK(table_fingerprints(target.url()).empty());  // nothing half-restored
    write_file(file, original);
  }
  CHECK(inst.run({"backup", "verify", id}).exit_code == 0);
}

TEST_CASE("an authentic object of another backup put in place of this one's is refused before pg_restore commits",
          "[backup]") {
  BackupInstallation inst;
  const auto older = inst.backup();
  {
    pqxx::connection c(inst.databases().at("promptads"));
    pqxx::nontransaction tx(c);
    tx.exec("DELETE FROM campaigns WHERE id IN (SELECT id FROM campaigns ORDER BY id LIMIT 5)");
  }
  const auto newer = inst.backup();
  const auto repo = fs::path(inst.repository());
  fs::copy_file(repo / newer / "promptads.dump.enc", repo / older / "promptads.dump.enc",
                fs::copy_options::overwrite_existing);

  const auto verify = inst.run({"backup", "verify", older});
  INFO(describe(verify));
  CHECK(verify.exit_code == 1);
  CHECK(verify.err.find("promptads.dump.enc): object is") != std::string::npos);  // size (or SHA-256) vs the manifest

  TestDatabase target("pst_restore");
  const auto restore = inst.run({"backup", "restore", older, "--database", "promptads", "--target-database", target.url()});
  INFO(describe(restore));
  CHECK(restore.exit_code == 1);
  CHECK(table_fingerprints(target.url()).empty());  // the held-back last chunk never reached pg_restore
}

TEST_CASE("restore refuses a non-empty target without --force and replaces it with --force", "[backup]") {
  BackupInstallation inst;
  const auto id = inst.backup();
  const auto ads = inst.databases().at("promptads");
  TestDatabase target("pst_restore");
  {
    pqxx::connection c(target.url());
    pqxx::nontransaction tx(c);
    tx.exec("CREATE TABLE precious (id int PRIMARY KEY); INSERT INTO precious VALUES (1)");
  }
  const auto refused = inst.run({"backup", "restore", id, "--database", "promptads", "--target-database", target.url()});
  INFO(describe(refused));
  CHECK(refused.exit_code == 2);
  CHECK(refused.err.find("is not empty") != std::string::npos);
  CHECK(refused.err.find("--force") != std::string::npos);
  CHECK(table_fingerprints(target.url()).size() == 1);

  const auto forced =
      inst.run({"backup", "restore", id, "--database", "promptads", "--target-database", target.url(), "--force"});
  INFO(describe(forced));
  REQUIRE(forced.exit_code == 0);
  auto restored = table_fingerprints(target.url());
  restored.erase("public.precious");  // --force replaces what the backup holds, and leaves other tables be
  CHECK(restored == table_fingerprints(ads));

  const auto ambiguous = inst.run({"backup", "restore", id, "--target-database", target.url()});
  CHECK(ambiguous.exit_code == 2);
  CHECK(ambiguous.err.find("several databases") != std::string::npos);
}

TEST_CASE("prune keeps the newest min-keep good backups, drops old and stale incomplete ones, and --dry-run deletes nothing",
          "[backup]") {
  BackupInstallation inst;
  const auto first = inst.backup();
  const auto second = inst.backup();
  const auto third = inst.backup();
  // A backup that died two days ago: objects, no manifest.
  const auto stale = fs::path(inst.repository()) / "20200101T000000.000Z";
  fs::create_directories(stale);
  write_file(stale / "control.dump.enc", "partial");
  const auto later = iso_days_from_now(40);

  const auto dry = inst.run({"backup", "prune", "--dry-run", "--min-keep", "2", "--now", later, "-o", "json"});
  INFO(describe(dry));
  REQUIRE(dry.exit_code == 0);
  CHECK(stdout_json(dry).at("wouldDelete") == 2);
  CHECK(fs::exists(fs::path(inst.repository()) / first / "manifest.enc"));
  CHECK(fs::exists(stale / "control.dump.enc"));

  const auto now = inst.run({"backup", "prune", "--min-keep", "2", "-o", "json"});
  INFO(describe(now));
  REQUIRE(now.exit_code == 0);
  CHECK(stdout_json(now).at("deleted") == 1);  // only the stale incomplete one: the rest are within 30 days
  CHECK_FALSE(fs::exists(stale));

  const auto pruned = inst.run({"backup", "prune", "--min-keep", "2", "--now", later, "-o", "json"});
  INFO(describe(pruned));
  REQUIRE(pruned.exit_code == 0);
  CHECK(stdout_json(pruned).at("deleted") == 1);
  CHECK_FALSE(fs::exists(fs::path(inst.repository()) / first));
  CHECK(fs::exists(fs::path(inst.repository()) / second / "manifest.enc"));
  CHECK(fs::exists(fs::path(inst.repository()) / third / "manifest.enc"));

  const auto list = stdout_json(inst.run({"backup", "list", "-o", "json"}));
  CHECK(list.size() == 2);
}

TEST_CASE("drill restores each database into a scratch database and leaves none behind", "[backup]") {
  BackupInstallation inst;
  inst.backup();
  const auto before = databases_named("promptsales_drill_");
  const auto drill = inst.run({"backup", "drill", "-o", "json"});
  INFO(describe(drill));
  REQUIRE(drill.exit_code == 0);
  const auto report = stdout_json(drill);
  CHECK(report.at("ok") == true);
  CHECK(report.at("databases").size() == inst.databases().size());
  for (const auto& d : report.at("databases")) CHECK(d.at("rows").get<long long>() > 0);
  CHECK(databases_named("promptsales_drill_") == before);

  // A tampered backup fails the drill, and still leaves no scratch database.
  for (const auto& f : repository_files(inst.repository())) {
    if (f.filename() == "promptads.dump.enc") {
      auto bytes = read_file(f);
      bytes[bytes.size() - 30] ^= 0x01;
      write_file(f, bytes);
    }
  }
  const auto failed = inst.run({"backup", "drill"});
  INFO(describe(failed));
  CHECK(failed.exit_code == 3);  // the other databases still pass
  CHECK(failed.err.find("promptads") != std::string::npos);
  CHECK(databases_named("promptsales_drill_") == before);
}

TEST_CASE("a missing backup key is a configuration error naming the setting", "[backup]") {
  BackupInstallation inst;
  const auto r = inst.run({"backup", "run"}, {{"PROMPTSALES_BACKUP_KEY", ""}});
  INFO(describe(r));
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("PROMPTSALES_BACKUP_KEY") != std::string::npos);
  CHECK(r.err.find("backup_key_file") != std::string::npos);

  const auto job = inst.run({"jobs", "run", "backup"}, {{"PROMPTSALES_BACKUP_KEY", ""}});
  INFO(describe(job));
  CHECK(job.exit_code == 2);

  const auto bad = inst.run({"backup", "list"}, {{"PROMPTSALES_BACKUP_KEY", "abc"}});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("64 hex") != std::string::npos);
  CHECK(bad.err.find("abc") == std::string::npos);  // a mistyped key is never echoed

  // A backup under another key is refused by its key id.
  inst.backup();
  const auto other = inst.run({"backup", "verify"}, {{"PROMPTSALES_BACKUP_KEY", std::string(64, 'e')}});
  CHECK(other.exit_code != 0);
}

TEST_CASE("jobs run backup and backup-prune record their runs", "[backup]") {
  BackupInstallation inst;
  const auto r = inst.run({"jobs", "run", "backup", "-o", "json"});
  INFO(describe(r));
  REQUIRE(r.exit_code == 0);
  const auto prune = inst.run({"jobs", "run", "backup-prune"});
  INFO(describe(prune));
  REQUIRE(prune.exit_code == 0);
  pqxx::connection c(inst.control_url());
  pqxx::nontransaction tx(c);
  const auto row = tx.exec(
      "SELECT outcome, (counts->>'databases')::int, (counts->>'bytes')::bigint FROM job_runs "
      "WHERE job = 'backup' ORDER BY id DESC LIMIT 1")[0];
  CHECK(row[0].as<std::string>() == "succeeded");
  CHECK(row[1].as<int>() == static_cast<int>(inst.databases().size()));
  CHECK(row[2].as<long long>() > 0);
  CHECK(tx.exec("SELECT count(*) FROM job_runs WHERE job = 'backup-prune' AND outcome = 'succeeded'")[0][0].as<int>() == 1);
  CHECK(stdout_json(inst.run({"backup", "list", "-o", "json"})).size() == 1);
}
