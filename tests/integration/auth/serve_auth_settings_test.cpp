// `serve` refuses unsafe or incomplete auth settings at start-up, and
// picks up a key rotated at the identity provider without a restart.

#include <fstream>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "api_fixture.hpp"
#include "cli_output.hpp"
#include "dev_auth.hpp"
#include "serve_process.hpp"
#include "temp_dir.hpp"
#include "test_env.hpp"

using namespace promptsales;
using namespace promptsales::test;

TEST_CASE("auth can be turned off only on loopback, with a warning", "[auth][serve]") {
  SeededInstallation inst(1, 3);
  SECTION("beyond loopback: exit 2 naming the address") {
    const auto r = run_promptsales(
        {"serve", "--insecure-no-auth", "--listen", "0.0.0.0:" + std::to_string(free_port())}, inst.env());
    INFO(describe(r));
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("loopback") && Catch::Contains("0.0.0.0"));
  }
  SECTION("on loopback: requests act as an operator and the log says so") {
    ServeProcess server(inst.env(), {"--insecure-no-auth"});
    CHECK(server.get_as("", "/api/v1/campaigns").status == 200);
    CHECK_THAT(server.log(), Catch::Contains("AUTHENTICATION IS DISABLED"));
  }
}

TEST_CASE("serve without a JWKS exits 2 and says how to get one", "[auth][serve]") {
  SeededInstallation inst(1, 1);
  const auto r = run_promptsales({"serve", "--listen", "127.0.0.1:" + std::to_string(free_port())},
                                 inst.env({}, {{"PROMPTSALES_AUTH_JWKS", ""}}));
  INFO(describe(r));
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("auth_jwks") && Catch::Contains("auth keygen"));

  TempDir dir;
  const auto bad = run_promptsales({"serve", "--listen", "127.0.0.1:" + std::to_string(free_port())},
                                   inst.env({}, {{"PROMPTSALES_AUTH_JWKS", dir.write("jwks.json", "{\"keys\":[]}")}}));
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Contains("no RSA signing key"));
}

TEST_CASE("a signing key rotated at the provider is accepted without a restart", "[auth][serve]") {
  SeededInstallation inst(1, 3);
  TempDir dir;
  const auto& dev = DevAuth::instance();
  const auto jwks = dir.write("jwks.json", auth::jwks_of({dev.key()}).dump());
  ServeProcess server(inst.env({}, {{"PROMPTSALES_AUTH_JWKS", jwks}, {"PROMPTSALES_AUTH_JWKS_MIN_REFRESH_MS", "0"}}));
  CHECK(server.get("/api/v1/campaigns").status == 200);

  const auto next = auth::generate_rsa_key();
  auth::TokenClaims claims;
  claims.subject = "test|rotated";
  claims.issuer = "https://promptsales.test/";
  claims.audience = "https://api.promptsales.test";
  claims.organization_id = 1;
  claims.permissions = {"campaigns:read"};
  const auto token = auth::sign_token(next, claims);
  const auto before = server.get_as(token, "/api/v1/campaigns");
  CHECK(before.status == 401);
  CHECK_THAT(before.header("WWW-Authenticate").value_or(""), Catch::Contains("kid"));

  std::ofstream(jwks, std::ios::trunc) << auth::jwks_of({next, dev.key()}).dump();
  CHECK(server.get_as(token, "/api/v1/campaigns").status == 200);
  CHECK(server.get("/api/v1/campaigns").status == 200);  // the old key still verifies
}
