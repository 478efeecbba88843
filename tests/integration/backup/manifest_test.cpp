// The manifest: round trip through the encrypted format, and refusal of a
// manifest moved from another backup or read under another key.
#include <catch2/catch.hpp>

#include "promptsales/common/backup/local_directory_repository.hpp"
#include "promptsales/common/backup/manifest.hpp"
#include "promptsales/common/crypto/integrity_error.hpp"
#include "temp_dir.hpp"

using namespace promptsales;
using namespace promptsales::backup;

namespace {
BackupManifest sample(const std::string& id) {
  BackupManifest m;
  m.id = id;
  m.started_at = "2026-01-01T00:00:00.000Z";
  m.finished_at = "2026-01-01T00:00:01.000Z";
  m.key_id = "k";
  m.tool_version = "0.1.0";
  DatabaseDump d;
  d.name = "control";
  d.kind = "control";
  d.object = id + "/control.dump.enc";
  d.encrypted_size = 10;
  d.encrypted_sha256 = "ab";
  d.plaintext_size = 5;
  d.server_version = "15.8";
  d.migrations = {"0001_x"};
  d.tables = {{"public.organizations", 3}};
  m.databases.push_back(d);
  return m;
}
}  // namespace

TEST_CASE("a manifest round-trips, and one moved to another backup or read under another key is refused",
          "[backup][manifest]") {
  test::TempDir dir("backup_manifest");
  LocalDirectoryRepository repo(dir.str());
  const auto key = BackupKey::from_hex(std::string(64, '1'), "test");
  const std::string a = "20260101T000000.000Z", b = "20260102T000000.000Z";
  write_manifest(repo, key, sample(a));
  const auto back = read_manifest(repo, key, a);
  CHECK(to_json(back) == to_json(sample(a)));
  CHECK(backup_id_time(a) == 1767225600);
  CHECK_FALSE(backup_id_time("not-an-id"));

  std::string bytes;
  repo.read(manifest_object(a), [&](std::string_view s) { bytes.append(s); });
  auto w = repo.create(manifest_object(b));
  w->write(bytes);
  w->commit();
  CHECK_THROWS_WITH(read_manifest(repo, key, b), Catch::Contains("belongs to backup " + a));
  CHECK_THROWS_AS(read_manifest(repo, BackupKey::from_hex(std::string(64, '2'), "test"), a), crypto::IntegrityError);
}
