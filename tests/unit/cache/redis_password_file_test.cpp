// redis_password_file: the password comes from a mounted secret file and wins
// over the URL's; errors name the file, never its content.

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include <catch2/catch.hpp>
#include <unistd.h>

#include "promptsales/common/cache/redis_url.hpp"

using promptsales::cache::apply_password_file;
using promptsales::cache::parse_redis_url;

namespace {

std::string write_temp(const std::string& name, const std::string& content) {
  const auto path = std::filesystem::temp_directory_path() / (name + "-" + std::to_string(::getpid()));
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
  return path.string();
}

std::string failure(promptsales::cache::RedisUrl& url, const std::string& path) {
  try {
    apply_password_file(url, path);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("redis_password_file replaces the URL's password, without the trailing newline", "[redis_url]") {
  const std::string file = write_temp("pst-redis-pw", "from-file\n");
  auto url = parse_redis_url("redis://user:from-url@10.0.0.1:6380/2");
  apply_password_file(url, file);
  CHECK(url.password == "from-file");
  CHECK(url.user == "user");
  CHECK(url.redacted().find("from-file") == std::string::npos);
  std::filesystem::remove(file);
}

TEST_CASE("redis_password_file errors name the file and never its content", "[redis_url]") {
  auto url = parse_redis_url("redis://127.0.0.1:6379/0");
  const std::string missing = "/nonexistent/pst-redis-password";
  CHECK_THAT(failure(url, missing), Catch::Contains(missing) && Catch::Contains("cannot read"));
  const std::string empty = write_temp("pst-redis-pw-empty", "\n");
  CHECK_THAT(failure(url, empty), Catch::Contains(empty) && Catch::Contains("empty"));
  const std::string two = write_temp("pst-redis-pw-two", "line-one-secret\nline-two-secret\n");
  const std::string message = failure(url, two);
  CHECK_THAT(message, Catch::Contains(two) && Catch::Contains("one line"));
  CHECK_THAT(message, !Catch::Contains("secret"));
  CHECK(url.password.empty());
  std::filesystem::remove(empty);
  std::filesystem::remove(two);
}
