// Backups in an S3-compatible bucket (backup_repository = s3://bucket/prefix)
// against s3rver: the same round trip as the local repository's, objects
// under the prefix, prune deleting through the S3 API, and a bucket that
// goes away mid-way failing the run clearly (exit 1) without a backup that
// `list` would call complete.
#include <chrono>
#include <ctime>

#include <catch2/catch.hpp>

#include "../backup/backup_fixture.hpp"
#include "s3rver_process.hpp"

using namespace promptsales::test;

namespace {

std::map<std::string, std::string> s3_env(const S3rverProcess& s3) {
  return {{"PROMPTSALES_BACKUP_REPOSITORY", "s3://" + s3.bucket() + "/nightly/promptsales"},
          {"PROMPTSALES_S3_ENDPOINT", s3.endpoint()},
          {"PROMPTSALES_S3_ACCESS_KEY_ID", "S3RVER"},
          {"PROMPTSALES_S3_SECRET_ACCESS_KEY", "S3RVER"},
          {"PROMPTSALES_OUTBOUND_BACKOFF_BASE_MS", "10"}};
}

}  // namespace

TEST_CASE("backups round-trip through an S3 bucket and prune deletes there", "[s3][backup]") {
  S3rverProcess s3("promptsales-backups");
  BackupInstallation inst;
  const auto env = s3_env(s3);

  const auto run = inst.run({"backup", "run", "-o", "json"}, env);
  INFO(describe(run));
  REQUIRE(run.exit_code == 0);
  const auto id = stdout_json(run).at("id").get<std::string>();

  const auto list = inst.run({"backup", "list", "-o", "json"}, env);
  INFO(describe(list));
  REQUIRE(list.exit_code == 0);
  REQUIRE(stdout_json(list).size() == 1);
  CHECK(stdout_json(list)[0].at("state") == "complete");
  // Nothing went to the local default repository.
  CHECK_FALSE(std::filesystem::exists(inst.repository()));

  const auto verify = inst.run({"backup", "verify", id, "-o", "json"}, env);
  INFO(describe(verify));
  REQUIRE(verify.exit_code == 0);
  CHECK(stdout_json(verify).at("ok") == true);

  for (const auto& [name, url] : inst.databases()) {
    INFO("database " << name);
    TestDatabase target("pst_s3restore");
    auto restore_env = env;
    restore_env["PROMPTSALES_RESTORE_TARGET_URL"] = target.url();
    const auto restore = inst.run({"backup", "restore", id, "--database", name, "-o", "json"}, restore_env);
    INFO(describe(restore));
    REQUIRE(restore.exit_code == 0);
    CHECK(table_fingerprints(target.url()) == table_fingerprints(url));
  }

  // A second backup, then prune as of 40 days later keeping one: the older goes.
  REQUIRE(inst.run({"backup", "run"}, env).exit_code == 0);
  const auto pruned = inst.run({"backup", "prune", "--min-keep", "1", "--now", iso_days_from_now(40), "-o", "json"}, env);
  INFO(describe(pruned));
  REQUIRE(pruned.exit_code == 0);
  CHECK(stdout_json(pruned).at("deleted") == 1);
  const auto after = inst.run({"backup", "list", "-o", "json"}, env);
  REQUIRE(after.exit_code == 0);
  REQUIRE(stdout_json(after).size() == 1);
  CHECK(stdout_json(after)[0].at("id") != id);
}

TEST_CASE("an S3 repository that cannot be reached fails the backup clearly", "[s3][backup]") {
  S3rverProcess s3("promptsales-backups");
  BackupInstallation inst;
  auto env = s3_env(s3);
  s3.kill();
  const auto run = inst.run({"backup", "run", "-o", "json"}, env);
  INFO(describe(run));
  CHECK(run.exit_code == 1);
  CHECK_THAT(run.err, Catch::Contains("S3") || Catch::Contains("s3"));
  CHECK(run.err.find("S3RVER") == std::string::npos);  // no credentials in messages

  s3.start();
  const auto list = inst.run({"backup", "list", "-o", "json"}, env);
  INFO(describe(list));
  REQUIRE(list.exit_code == 0);
  for (const auto& b : stdout_json(list)) CHECK(b.at("state") != "complete");

  // Settings errors name the setting.
  env["PROMPTSALES_BACKUP_REPOSITORY"] = "s3:///nightly";
  const auto bad = inst.run({"backup", "list"}, env);
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Contains("backup_repository"));
}
