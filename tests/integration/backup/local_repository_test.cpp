// LocalDirectoryRepository on a real filesystem: nothing visible before
// commit, aborts leave nothing, private permissions, listing and removal.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <filesystem>

#include "promptsales/common/backup/local_directory_repository.hpp"
#include "promptsales/common/errors.hpp"
#include "temp_dir.hpp"

using namespace promptsales;
using namespace promptsales::backup;
namespace fs = std::filesystem;

namespace {
unsigned mode_of(const fs::path& p) {
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_mode & 0777;
}
std::string read_object(BackupRepository& repo, const std::string& name) {
  std::string out;
  repo.read(name, [&](std::string_view b) { out.append(b); });
  return out;
}
}  // namespace

TEST_CASE("an object is invisible until commit, then private and readable", "[backup][repository]") {
  test::TempDir dir("backup_repo");
  LocalDirectoryRepository repo(dir.str() + "/r");
  CHECK(mode_of(dir.path() / "r") == 0700);
  auto w = repo.create("20260101T000000.000Z/control.dump.enc");
  w->write("hello ");
  w->write("world");
  CHECK_FALSE(repo.exists("20260101T000000.000Z/control.dump.enc"));
  CHECK(repo.list("").empty());  // the temporary file is hidden
  w->commit();
  CHECK(repo.exists("20260101T000000.000Z/control.dump.enc"));
  CHECK(read_object(repo, "20260101T000000.000Z/control.dump.enc") == "hello world");
  CHECK(mode_of(dir.path() / "r/20260101T000000.000Z/control.dump.enc") == 0600);
  CHECK(mode_of(dir.path() / "r/20260101T000000.000Z") == 0700);
  const auto listed = repo.list("2026");
  REQUIRE(listed.size() == 1);
  CHECK(listed[0].size == 11);
  CHECK(repo.list("2027").empty());
}

TEST_CASE("an aborted or abandoned object leaves no file", "[backup][repository]") {
  test::TempDir dir("backup_repo");
  LocalDirectoryRepository repo(dir.str());
  {
    auto w = repo.create("a/b.enc");
    w->write("partial");
    w->abort();
  }
  { repo.create("a/c.enc")->write("dropped"); }
  std::size_t files = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir.path())) files += e.is_regular_file() ? 1 : 0;
  CHECK(files == 0);
}

TEST_CASE("remove deletes the object and its empty folder, and bad names and missing objects are refused",
          "[backup][repository]") {
  test::TempDir dir("backup_repo");
  LocalDirectoryRepository repo(dir.str());
  auto w = repo.create("x/y.enc");
  w->commit();
  repo.remove("x/y.enc");
  CHECK_FALSE(fs::exists(dir.path() / "x"));
  repo.remove("x/y.enc");  // missing is fine
  CHECK_THROWS_AS(repo.create("../escape"), ValidationError);
  CHECK_THROWS_AS(repo.create("/abs"), ValidationError);
  CHECK_THROWS_AS(repo.create("a/.hidden"), ValidationError);
  CHECK_THROWS_AS(read_object(repo, "nothing/here"), NotFound);
}
