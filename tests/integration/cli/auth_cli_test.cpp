// `promptsales auth keygen | token --dev | verify`.

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "cli_output.hpp"
#include "temp_dir.hpp"
#include "test_env.hpp"

using namespace promptsales::test;
using nlohmann::json;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::map<std::string, std::string> auth_env(const std::string& dir) {
  return {{"PROMPTSALES_AUTH_JWKS", dir + "/jwks.json"},
          {"PROMPTSALES_AUTH_ISSUER", "https://issuer.cli.test/"},
          {"PROMPTSALES_AUTH_AUDIENCE", "https://api.cli.test"}};
}

}  // namespace

TEST_CASE("auth keygen writes a private key (0600) and its JWKS, and refuses to overwrite", "[auth][cli]") {
  TempDir tmp;
  const auto dir = tmp.str() + "/keys";
  const auto r = run_promptsales({"auth", "keygen", "--dir", dir, "-o", "json"});
  INFO(describe(r));
  REQUIRE(r.exit_code == 0);
  const auto out = stdout_json(r);
  struct stat st {};
  REQUIRE(::stat((dir + "/signing-key.pem").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  const auto jwks = json::parse(read_file(dir + "/jwks.json"));
  REQUIRE(jwks["keys"].size() == 1);
  CHECK(jwks["keys"][0]["kid"] == out["kid"]);
  CHECK_FALSE(jwks["keys"][0].contains("d"));  // no private part published
  CHECK(read_file(dir + "/jwks.json").find("PRIVATE") == std::string::npos);

  const auto again = run_promptsales({"auth", "keygen", "--dir", dir});
  CHECK(again.exit_code == 5);
  CHECK_THAT(again.err, Catch::Contains("--rotate"));

  const auto rotated = run_promptsales({"auth", "keygen", "--dir", dir, "--rotate", "-o", "json"});
  REQUIRE(rotated.exit_code == 0);
  const auto keys = json::parse(read_file(dir + "/jwks.json"))["keys"];
  REQUIRE(keys.size() == 2);
  CHECK(keys[0]["kid"] == stdout_json(rotated)["kid"]);
  CHECK(keys[1]["kid"] == out["kid"]);
}

TEST_CASE("auth token --dev signs tokens that auth verify accepts", "[auth][cli]") {
  TempDir tmp;
  const auto dir = tmp.str();
  REQUIRE(run_promptsales({"auth", "keygen", "--dir", dir}).exit_code == 0);
  const auto env = auth_env(dir);
  const auto key = dir + "/signing-key.pem";

  const auto t = run_promptsales({"auth", "token", "--dev", "--key", key, "--org", "7", "--role", "viewer",
                                  "--permissions", "leads:export", "--subject", "auth0|carol"},
                                 env);
  INFO(describe(t));
  REQUIRE(t.exit_code == 0);
  const std::string token = t.out.substr(0, t.out.find('\n'));

  const auto v = run_promptsales({"auth", "verify", "-o", "json"}, env, token + "\n");
  INFO(describe(v));
  REQUIRE(v.exit_code == 0);
  const auto p = stdout_json(v);
  CHECK(p["subject"] == "auth0|carol");
  CHECK(p["organizationId"] == 7);
  CHECK(p["permissions"] == json({"campaigns:read", "leads:read", "leads:export", "content:read"}));

  SECTION("a token for another audience fails verification with exit 2") {
    auto other = env;
    other["PROMPTSALES_AUTH_AUDIENCE"] = "https://elsewhere.test";
    const auto bad = run_promptsales({"auth", "verify"}, other, token + "\n");
    CHECK(bad.exit_code == 2);
    CHECK_THAT(bad.err, Catch::Contains("audience"));
  }
}

TEST_CASE("auth token refuses what it cannot sign sensibly", "[auth][cli]") {
  TempDir tmp;
  const auto dir = tmp.str();
  REQUIRE(run_promptsales({"auth", "keygen", "--dir", dir}).exit_code == 0);
  const auto key = dir + "/signing-key.pem";
  struct Case {
    std::vector<std::string> args;
    std::string says;
  };
  const std::vector<Case> cases = {
      {{"auth", "token", "--key", key, "--org", "1", "--role", "viewer"}, "--dev"},
      {{"auth", "token", "--dev", "--key", key, "--org", "1", "--permissions", "campaigns:fly"}, "campaigns:fly"},
      {{"auth", "token", "--dev", "--key", key, "--org", "1", "--role", "root"}, "root"},
      {{"auth", "token", "--dev", "--key", key, "--role", "viewer"}, "--org"},
      {{"auth", "token", "--dev", "--key", key, "--org", "1"}, "permission"},
      {{"auth", "token", "--dev", "--key", dir + "/absent.pem", "--org", "1", "--role", "viewer"}, "absent.pem"},
  };
  for (const auto& c : cases) {
    const auto r = run_promptsales(c.args);
    INFO(describe(r));
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains(c.says));
    CHECK(r.out.empty());
  }
}
