// POST /api/v1/leads/capture/{captureId} end to end: a real `serve`, the
// capture made by the CLI, requests signed with OpenSSL here (so the test
// does not trust the code it checks), leads checked in the CRM database.
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "capture_fixture.hpp"
#include "temp_dir.hpp"

using nlohmann::json;
using namespace promptsales::test;

TEST_CASE("capture: a signed lead is stored encrypted and attributed to the capture's campaign",
          "[capture][api]") {
  CaptureInstallation inst;
  const auto campaign = inst.campaign_of(1);
  const auto cap = configure_capture(inst, 1, campaign);
  const std::string id = cap.at("id");
  const std::string secret = cap.at("secret");
  CHECK(cap.at("campaignId") == campaign);
  CHECK(cap.at("organizationId") == 1);
  CHECK(cap.at("endpoint") == "/api/v1/leads/capture/" + id);
  // The secret is stored encrypted under the data key, never in clear.
  CHECK(inst.crm_count("SELECT count(*) FROM lead_captures WHERE position(convert_to('" + secret +
                       "', 'UTF8') in secret_encrypted) > 0") == 0);
  CHECK(inst.crm_count("SELECT count(*) FROM lead_captures WHERE promptsales_decrypt(secret_encrypted, decode('" +
                       std::string(kCaptureTestKey) + "', 'hex'), 'lead_captures.secret') = '" + secret + "'") == 1);

  ServeProcess server(inst.env());
  const std::string body = R"({"email":" Ana.Ruiz@Example.com ","name":"Ana Ruiz","phone":"+34 600 111 222",)"
                           R"("country":"España","city":"Sevilla","interests":["yoga","Running"],)"
                           R"("consent_email":true,"status":"converted","campaignId":999})";
  const auto res = http_request(server.port(), signed_capture(id, secret, body));
  INFO(res.describe());
  REQUIRE(res.status == 201);
  const auto lead_id = res.json().at("leadId").get<std::int64_t>();
  CHECK(res.json().at("created") == true);
  CHECK(res.json().at("campaignId") == campaign);
  CHECK(res.header("Location") == "/api/v1/leads/" + std::to_string(lead_id));

  pqxx::connection c(inst.crm_url);
  pqxx::nontransaction tx(c);
  const auto row = tx.exec_params1(
      "SELECT organization_id, campaign_id, status, source, country, "
      "promptsales_decrypt(email_encrypted, decode($2, 'hex'), 'leads.email'), "
      "position(convert_to('ana.ruiz', 'UTF8') in email_encrypted), "
      "promptsales_decrypt(phone_encrypted, decode($2, 'hex'), 'leads.phone'), array_to_string(interests, ',') "
      "FROM leads WHERE id = $1",
      lead_id, std::string(kCaptureTestKey));
  CHECK(row[0].as<int>() == 1);
  CHECK(row[1].as<std::int64_t>() == campaign);     // the capture's, not the body's campaignId
  CHECK(row[2].as<std::string>() == "new");         // a public form does not set the status
  CHECK(row[3].as<std::string>() == "capture");
  CHECK(row[4].as<std::string>() == "ES");
  CHECK(row[5].as<std::string>() == "ana.ruiz@example.com");
  CHECK(row[6].as<int>() == 0);                     // not in clear
  CHECK(row[7].as<std::string>() == "+34600111222");
  CHECK(row[8].as<std::string>() == "running,yoga");

  // The API shows it decrypted; the capture counts it.
  const auto shown = server.get("/api/v1/leads/" + std::to_string(lead_id) + "?organizationId=1");
  INFO(shown.describe());
  CHECK(shown.status == 200);
  CHECK(shown.json().at("email") == "ana.ruiz@example.com");
  const auto r = run_promptsales({"lead", "capture", "show", id, "-o", "json"}, inst.env());
  INFO(describe(r));
  REQUIRE(r.exit_code == 0);
  CHECK(stdout_json(r).at("leadsCreated") == 1);
}

TEST_CASE("capture: bad or missing signatures, stale timestamps, replays, unknown captures and bad bodies are refused",
          "[capture][api]") {
  CaptureInstallation inst;
  const auto cap = configure_capture(inst, 1, inst.campaign_of(1));
  const std::string id = cap.at("id");
  const std::string secret = cap.at("secret");
  ServeProcess server(inst.env({{"PROMPTSALES_LEAD_CAPTURE_MAX_BODY_BYTES", "2048"}}));
  const std::string body = R"({"email":"eva@example.com","name":"Eva"})";
  const auto leads = [&] { return inst.crm_count("SELECT count(*) FROM leads"); };

  SECTION("a body changed after signing") {
    auto req = signed_capture(id, secret, body);
    req.body = R"({"email":"mallory@example.com","name":"Eva"})";
    const auto res = http_request(server.port(), req);
    INFO(res.describe());
    CHECK(res.status == 401);
    CHECK(is_json_error(res, "bad_signature"));
  }
  SECTION("another secret") {
    const auto res = http_request(server.port(), signed_capture(id, "pscs_" + std::string(64, 'a'), body));
    CHECK(res.status == 401);
    CHECK(is_json_error(res, "bad_signature"));
  }
  SECTION("no signature headers") {
    HttpRequest req;
    req.method = "POST";
    req.target = "/api/v1/leads/capture/" + id;
    req.body = body;
    const auto res = http_request(server.port(), req);
    CHECK(res.status == 401);
    CHECK(is_json_error(res, "missing_signature"));
  }
  SECTION("a malformed signature or timestamp") {
    auto req = signed_capture(id, secret, body);
    req.headers[2].second = "sha1=abc";
    auto res = http_request(server.port(), req);
    CHECK(res.status == 401);
    CHECK(is_json_error(res, "bad_signature"));
    req = signed_capture(id, secret, body);
    req.headers[1].second = "yesterday";
    res = http_request(server.port(), req);
    CHECK(res.status == 401);
    CHECK(is_json_error(res, "bad_timestamp"));
  }
  SECTION("timestamps beyond the tolerance, either way, even when correctly signed") {
    for (const auto ts : {unix_now() - 301, unix_now() + 301}) {
      const auto res = http_request(server.port(), signed_capture(id, secret, body, ts));
      INFO(res.describe());
      CHECK(res.status == 401);
      CHECK(is_json_error(res, "stale_timestamp"));
    }
    // Inside the window it is fine.
    CHECK(http_request(server.port(), signed_capture(id, secret, body, unix_now() - 200)).status == 201);
  }
  SECTION("the same signed request twice, also through another pod") {
    const auto req = signed_capture(id, secret, body);
    CHECK(http_request(server.port(), req).status == 201);
    const auto again = http_request(server.port(), req);
    INFO(again.describe());
    CHECK(again.status == 409);
    CHECK(is_json_error(again, "replayed"));
    ServeProcess other(inst.env());
    CHECK(http_request(other.port(), req).status == 409);
    CHECK(leads() == 1);
  }
  SECTION("unknown, malformed and disabled captures answer 404") {
    CHECK(http_request(server.port(), signed_capture("cap_0123456789abcdef01234567", secret, body)).status == 404);
    CHECK(http_request(server.port(), signed_capture("42", secret, body)).status == 404);
    const auto r = run_promptsales({"lead", "capture", "disable", id, "-o", "json"}, inst.env());
    INFO(describe(r));
    REQUIRE(r.exit_code == 0);
    CHECK(stdout_json(r).at("enabled") == false);
    const auto res = http_request(server.port(), signed_capture(id, secret, body));
    CHECK(res.status == 404);
    CHECK(is_json_error(res, "capture_not_found"));
    // And back.
    REQUIRE(run_promptsales({"lead", "capture", "enable", id}, inst.env()).exit_code == 0);
    CHECK(http_request(server.port(), signed_capture(id, secret, body)).status == 201);
  }
  SECTION("an invalid lead: 400 naming the field with the import's error code") {
    auto res = http_request(server.port(), signed_capture(id, secret, R"({"email":"not-an-email","name":"X"})"));
    INFO(res.describe());
    CHECK(res.status == 400);
    CHECK(is_json_error(res, "invalid_email"));
    CHECK(res.json()["error"]["field"] == "email");
    res = http_request(server.port(), signed_capture(id, secret, R"({"email":"a@b.com","country":"Atlantis"})"));
    CHECK(res.status == 400);
    CHECK(res.json()["error"]["field"] == "country");
    res = http_request(server.port(), signed_capture(id, secret, R"({"name":"no email"})"));
    CHECK(res.status == 400);
    CHECK(is_json_error(res, "missing_email"));
    res = http_request(server.port(), signed_capture(id, secret, "[1,2]"));
    CHECK(res.status == 400);
    CHECK(is_json_error(res, "invalid_json"));
    // A refused body leaves no replay record: sent again it is refused for
    // what it is, not as a replay.
    const auto bad = signed_capture(id, secret, R"({"email":"still bad"})");
    CHECK(http_request(server.port(), bad).status == 400);
    CHECK(http_request(server.port(), bad).status == 400);
    CHECK(leads() == 0);
  }
  SECTION("a body over the limit: 413") {
    const std::string big = R"({"email":"big@example.com","city":")" + std::string(3000, 'x') + R"("})";
    const auto res = http_request(server.port(), signed_capture(id, secret, big));
    CHECK(res.status == 413);
    CHECK(is_json_error(res, "body_too_large"));
  }
  CHECK(server.running());
}

TEST_CASE("capture: a known email is deduplicated and left unchanged", "[capture][api]") {
  CaptureInstallation inst;
  const auto cap = configure_capture(inst, 1, inst.campaign_of(1));
  ServeProcess server(inst.env());
  const auto first = http_request(server.port(), signed_capture(cap.at("id"), cap.at("secret"),
                                                                R"({"email":"dup@example.com","name":"Real Name"})"));
  REQUIRE(first.status == 201);
  const auto second = http_request(
      server.port(), signed_capture(cap.at("id"), cap.at("secret"), R"({"email":"DUP@example.com ","name":"Forged"})"));
  INFO(second.describe());
  CHECK(second.status == 200);
  CHECK(second.json().at("created") == false);
  CHECK(second.json().at("leadId") == first.json().at("leadId"));
  CHECK(inst.crm_count("SELECT count(*) FROM leads") == 1);
  const auto shown = server.get("/api/v1/leads/" + std::to_string(first.json().at("leadId").get<long long>()) +
                                "?organizationId=1");
  CHECK(shown.json().at("name") == "Real Name");
  CHECK(inst.crm_count("SELECT leads_existing FROM lead_captures") == 1);
}

TEST_CASE("capture: rotate-secret makes the old secret fail at once", "[capture][api][cli]") {
  CaptureInstallation inst;
  const auto cap = configure_capture(inst, 1, inst.campaign_of(1));
  const std::string id = cap.at("id");
  ServeProcess server(inst.env());
  const auto r = run_promptsales({"lead", "capture", "rotate-secret", id, "-o", "json"}, inst.env());
  INFO(describe(r));
  REQUIRE(r.exit_code == 0);
  const std::string fresh = stdout_json(r).at("secret");
  CHECK(fresh != cap.at("secret").get<std::string>());
  const std::string body = R"({"email":"rot@example.com"})";
  CHECK(http_request(server.port(), signed_capture(id, cap.at("secret"), body)).status == 401);
  CHECK(http_request(server.port(), signed_capture(id, fresh, body)).status == 201);
  // Every change was audited, and no audit entry holds a secret.
  CHECK(inst.control_count("SELECT count(*) FROM audit_log WHERE action IN ('lead.capture.configure', "
                           "'lead.capture.rotate_secret') AND outcome = 'success'") == 2);
  CHECK(inst.control_count("SELECT count(*) FROM audit_log WHERE details::text LIKE '%pscs_%'") == 0);
}

TEST_CASE("capture: configure refuses a campaign of another organization or none, with exit 4",
          "[capture][cli]") {
  CaptureInstallation inst;
  const auto foreign = inst.campaign_of(2);
  auto r = run_promptsales({"lead", "capture", "configure", "--org", "1", "--campaign", std::to_string(foreign)},
                           inst.env());
  INFO(describe(r));
  CHECK(r.exit_code == 4);
  CHECK_THAT(r.err, Catch::Contains("campaign " + std::to_string(foreign)));
  r = run_promptsales({"lead", "capture", "configure", "--org", "1", "--campaign", "987654321"}, inst.env());
  CHECK(r.exit_code == 4);
  CHECK(inst.crm_count("SELECT count(*) FROM lead_captures") == 0);
  r = run_promptsales({"lead", "capture", "show", "cap_000000000000000000000000"}, inst.env());
  CHECK(r.exit_code == 4);
  // list: JSON, no secrets.
  configure_capture(inst, 2, foreign);
  r = run_promptsales({"lead", "capture", "list", "--org", "2", "-o", "json"}, inst.env());
  REQUIRE(r.exit_code == 0);
  const auto list = stdout_json(r);
  REQUIRE(list.size() == 1);
  CHECK(list[0].at("campaignId") == foreign);
  CHECK_FALSE(list[0].contains("secret"));
  r = run_promptsales({"lead", "capture", "list", "--org", "1", "-o", "json"}, inst.env());
  CHECK(stdout_json(r).empty());
  r = run_promptsales({"lead", "capture", "list"}, inst.env());
  CHECK_THAT(r.out, Catch::Contains("CAMPAIGN"));
}

TEST_CASE("capture: the README's openssl recipe signs a request the server accepts", "[capture][api]") {
  CaptureInstallation inst;
  const auto cap = configure_capture(inst, 1, inst.campaign_of(1));
  ServeProcess server(inst.env());
  TempDir dir;
  const std::string body = R"({"email":"recipe@example.com","name":"Recipe"})";
  const auto body_file = dir.write("lead.json", body);
  const auto out_file = dir.str() + "/sig";
  const std::string ts = std::to_string(unix_now());
  // The recipe's signing line: printf '%s.%s' "$TS" "$BODY" | openssl dgst -sha256 -hmac "$SECRET"
  const std::string cmd = "printf '%s.%s' '" + ts + "' \"$(cat '" + body_file + "')\" | openssl dgst -sha256 -hmac '" +
                          cap.at("secret").get<std::string>() + "' | sed 's/^.*= //' > '" + out_file + "'";
  REQUIRE(std::system(cmd.c_str()) == 0);
  std::ifstream in(out_file);
  std::string sig((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!sig.empty() && (sig.back() == '\n' || sig.back() == '\r')) sig.pop_back();
  REQUIRE(sig.size() == 64);
  HttpRequest req;
  req.method = "POST";
  req.target = "/api/v1/leads/capture/" + cap.at("id").get<std::string>();
  req.body = body;
  req.headers = {{"X-PromptSales-Timestamp", ts}, {"X-PromptSales-Signature", "sha256=" + sig}};
  const auto res = http_request(server.port(), req);
  INFO(res.describe());
  CHECK(res.status == 201);
}

TEST_CASE("capture: leads are rate limited per capture id", "[capture][api]") {
  CaptureInstallation inst;
  const auto a = configure_capture(inst, 1, inst.campaign_of(1));
  const auto b = configure_capture(inst, 1, inst.campaign_of(1));
  ServeProcess server(inst.env({{"PROMPTSALES_LEAD_CAPTURE_RATE_PER_SECOND", "1"},
                                {"PROMPTSALES_LEAD_CAPTURE_RATE_BURST", "2"}}));
  int limited = 0;
  for (int i = 0; i < 4; ++i) {
    const auto res = http_request(server.port(), signed_capture(a.at("id"), a.at("secret"),
                                                                R"({"email":"r)" + std::to_string(i) + R"(@example.com"})"));
    if (res.status == 429) {
      ++limited;
      CHECK(res.header("Retry-After").has_value());
    }
  }
  CHECK(limited >= 1);
  // Another capture has its own bucket.
  CHECK(http_request(server.port(), signed_capture(b.at("id"), b.at("secret"), R"({"email":"other@example.com"})"))
            .status == 201);

  // The server's per-address limit applies too: probing many ids from one
  // address is refused before any database work.
  ServeProcess strict(inst.env({{"PROMPTSALES_RATE_LIMIT_IP_PER_SECOND", "1"}, {"PROMPTSALES_RATE_LIMIT_IP_BURST", "2"}}));
  int probes_limited = 0;
  for (int i = 0; i < 5; ++i) {
    const auto res = http_request(strict.port(), signed_capture("cap_00000000000000000000000" + std::to_string(i),
                                                                a.at("secret"), "{}"));
    CHECK((res.status == 404 || res.status == 429));
    if (res.status == 429) ++probes_limited;
  }
  CHECK(probes_limited >= 2);
}

TEST_CASE("capture: keys rotate re-wraps capture secrets, which keep verifying under the new key",
          "[capture][api][keys]") {
  CaptureInstallation inst(1);
  const auto cap = configure_capture(inst, 1, inst.campaign_of(1));
  const std::string new_key = "0f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff0";
  const auto r = run_promptsales({"keys", "rotate", "-o", "json"}, inst.env({{"PROMPTSALES_NEW_DATA_KEY", new_key}}));
  INFO(describe(r));
  REQUIRE(r.exit_code == 0);
  CHECK(inst.crm_count("SELECT count(*) FROM lead_captures WHERE promptsales_decrypt(secret_encrypted, decode('" +
                       new_key + "', 'hex'), 'lead_captures.secret') = '" + cap.at("secret").get<std::string>() +
                       "'") == 1);
  // A server holding only the new key verifies the unchanged secret.
  ServeProcess server(inst.env({{"PROMPTSALES_DATA_KEY", new_key}}));
  const auto res =
      http_request(server.port(), signed_capture(cap.at("id"), cap.at("secret"), R"({"email":"k@example.com"})"));
  INFO(res.describe());
  CHECK(res.status == 201);
}
