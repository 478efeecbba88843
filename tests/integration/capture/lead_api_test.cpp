// The lead API end to end: /api/v1/leads list, get, PATCH and export on a
// real `serve`, with tokens of different organizations and permissions.
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "capture_fixture.hpp"
#include "dev_auth.hpp"
#include "temp_dir.hpp"

using nlohmann::json;
using namespace promptsales::test;

namespace {

/// Organization 1: five leads (two qualified, three with campaign 7);
/// organization 2: two, one sharing an email with organization 1.
void load_leads(const CaptureInstallation& inst) {
  TempDir dir;
  const auto one = dir.write("one.csv",
                             "email,name,country,status,campaign_id\n"
                             "a1@example.com,Alba,ES,new,7\n"
                             "a2@example.com,Bruno,ES,qualified,7\n"
                             "a3@example.com,Carla,FR,qualified,\n"
                             "a4@example.com,Dario,ES,new,7\n"
                             "shared@example.com,Elena,PT,lost,\n");
  const auto two = dir.write("two.csv",
                             "email,name,country\n"
                             "b1@example.com,Other Org,DE\n"
                             "shared@example.com,Other Elena,DE\n");
  for (const auto& [file, org] : {std::pair{one, "1"}, std::pair{two, "2"}}) {
    // One writer: ids (and so the lists' order) follow the file's lines.
    const auto r = run_promptsales({"lead", "import", file, "--org", org, "--writers", "1"}, inst.env());
    INFO(describe(r));
    REQUIRE(r.exit_code == 0);
  }
}

std::int64_t id_of(const CaptureInstallation& inst, std::int64_t org, const std::string& name) {
  // Names are encrypted; the test reads them back through the CLI.
  const auto r = run_promptsales({"lead", "list", "--org", std::to_string(org), "-o", "json"}, inst.env());
  REQUIRE(r.exit_code == 0);
  for (const auto& l : stdout_json(r))
    if (l.at("name") == name) return l.at("id").get<std::int64_t>();
  FAIL("no lead named " << name);
  return 0;
}

std::vector<std::string> names(const json& leads) {
  std::vector<std::string> out;
  for (const auto& l : leads) out.push_back(l.at("name"));
  return out;
}

}  // namespace

TEST_CASE("lead api: permissions decide who reads, writes and exports", "[capture][leads][api]") {
  CaptureInstallation inst;
  load_leads(inst);
  const auto alba = id_of(inst, 1, "Alba");
  ServeProcess server(inst.env());
  const auto& auth = DevAuth::instance();
  const auto viewer = auth.token(1, {"leads:read"}, "test|viewer");
  const auto writer = auth.token(1, {"leads:read", "leads:write"}, "test|writer");
  const auto exporter = auth.token(1, {"leads:export"}, "test|exporter");
  const auto campaigns_only = auth.token(1, {"campaigns:read"}, "test|campaigns");
  const std::string one = "/api/v1/leads/" + std::to_string(alba);
  const std::string patch = R"({"status":"contacted"})";

  CHECK(server.get_as("", "/api/v1/leads").status == 401);
  CHECK(server.get_as(campaigns_only, "/api/v1/leads").status == 403);
  CHECK(server.get_as(viewer, "/api/v1/leads").status == 200);
  CHECK(server.get_as(viewer, one).status == 200);
  auto res = server.send_as(viewer, "PATCH", one, patch);
  CHECK(res.status == 403);
  CHECK_THAT(res.body, Catch::Contains("leads:write"));
  CHECK(server.get_as(viewer, "/api/v1/leads/export").status == 403);
  CHECK(server.get_as(writer, "/api/v1/leads/export").status == 403);
  CHECK(server.send_as(writer, "PATCH", one, patch).status == 200);
  CHECK(server.get_as(exporter, "/api/v1/leads/export").status == 200);
  CHECK(server.get_as(exporter, "/api/v1/leads").status == 403);
  // The capture route has no bearer-token guard (its signature is the
  // authentication): an unknown capture is 404, not the guard's 401.
  res = server.send_as("", "POST", "/api/v1/leads/capture/cap_000000000000000000000000", "{}");
  CHECK(res.status == 404);
}

TEST_CASE("lead api: a token of one organization never sees or changes another's leads", "[capture][leads][api]") {
  CaptureInstallation inst;
  load_leads(inst);
  const auto alba = id_of(inst, 1, "Alba");
  ServeProcess server(inst.env());
  const auto org2 = DevAuth::instance().token(2, {"leads:read", "leads:write", "leads:export"}, "test|org2");
  const std::string alba_path = "/api/v1/leads/" + std::to_string(alba);

  auto res = server.get_as(org2, "/api/v1/leads");
  INFO(res.describe());
  REQUIRE(res.status == 200);
  const auto list = res.json();
  CHECK(list.size() == 2);
  for (const auto& l : list) CHECK(l.at("organizationId") == 2);
  CHECK(server.get_as(org2, alba_path).status == 404);
  CHECK(server.send_as(org2, "PATCH", alba_path, R"({"name":"taken over"})").status == 404);
  CHECK(server.get_as(org2, "/api/v1/leads?organizationId=1").status == 403);
  CHECK(server.get_as(org2, alba_path + "?organizationId=1").status == 403);
  // Search by an email both organizations hold finds only its own.
  res = server.get_as(org2, "/api/v1/leads?search=SHARED@example.com");
  REQUIRE(res.json().size() == 1);
  CHECK(res.json()[0].at("name") == "Other Elena");
  // The export holds only organization 2's leads.
  res = server.get_as(org2, "/api/v1/leads/export?format=ndjson");
  REQUIRE(res.status == 200);
  CHECK_THAT(res.body, Catch::Contains("b1@example.com"));
  CHECK_THAT(res.body, !Catch::Contains("a1@example.com"));
  // Organization 1's lead is untouched.
  CHECK(server.get(alba_path + "?organizationId=1").json().at("name") == "Alba");
  // An operator token must say which organization.
  res = server.get("/api/v1/leads");
  CHECK(res.status == 400);
  CHECK_THAT(res.body, Catch::Contains("organizationId"));
}

TEST_CASE("lead api: filters, paging and newest first", "[capture][leads][api]") {
  CaptureInstallation inst;
  load_leads(inst);
  REQUIRE(run_promptsales({"lead", "update", std::to_string(id_of(inst, 1, "Bruno")), "--org", "1", "--score", "80"},
                          inst.env())
              .exit_code == 0);
  ServeProcess server(inst.env());
  const auto t = DevAuth::instance().token(1, {"leads:read"});
  auto get = [&](const std::string& q) {
    const auto res = server.get_as(t, "/api/v1/leads" + q);
    INFO(res.describe());
    REQUIRE(res.status == 200);
    return res.json();
  };
  CHECK(names(get("")) == std::vector<std::string>{"Elena", "Dario", "Carla", "Bruno", "Alba"});
  CHECK(names(get("?status=qualified")) == std::vector<std::string>{"Carla", "Bruno"});
  CHECK(names(get("?campaignId=7")) == std::vector<std::string>{"Dario", "Bruno", "Alba"});
  CHECK(names(get("?minScore=50")) == std::vector<std::string>{"Bruno"});
  CHECK(names(get("?search=%20A3%40Example.com")) == std::vector<std::string>{"Carla"});
  CHECK(get("?search=nobody%40example.com").empty());
  CHECK(names(get("?limit=2&offset=1")) == std::vector<std::string>{"Dario", "Carla"});
  CHECK(names(get("?status=qualified&campaignId=7")) == std::vector<std::string>{"Bruno"});
  const auto first = get("?limit=1")[0];
  CHECK(first.at("email") == "shared@example.com");  // decrypted
  for (const char* bad : {"?status=hot", "?limit=0", "?minScore=101", "?search=not-an-email", "?offset=-1"}) {
    const auto res = server.get_as(t, std::string("/api/v1/leads") + bad);
    INFO(bad << "\n" << res.describe());
    CHECK(res.status == 400);
  }
}

TEST_CASE("lead api: PATCH validates, persists and is audited", "[capture][leads][api]") {
  CaptureInstallation inst;
  load_leads(inst);
  const auto alba = id_of(inst, 1, "Alba");
  ServeProcess server(inst.env());
  const auto t = DevAuth::instance().token(1, {"leads:read", "leads:write"}, "test|editor");
  const std::string path = "/api/v1/leads/" + std::to_string(alba);
  auto res = server.send_as(t, "PATCH", path,
                            R"({"status":"qualified","name":" Alba Ruiz ","phone":"+34 611 222 333","city":"Gijón",)"
                            R"("interests":["Surf","yoga","surf"],"consents":{"email":true,"sms":false}})");
  INFO(res.describe());
  REQUIRE(res.status == 200);
  const auto got = server.get_as(t, path).json();
  CHECK(got.at("status") == "qualified");
  CHECK(got.at("name") == "Alba Ruiz");
  CHECK(got.at("phone") == "+34611222333");
  CHECK(got.at("city") == "Gijón");
  CHECK(got.at("interests") == json::array({"surf", "yoga"}));
  CHECK(got.at("consents").at("email") == true);
  CHECK_FALSE(got.at("consents").at("givenAt").is_null());
  CHECK(got.at("email") == "a1@example.com");
  CHECK(poll_until(
      [&] {
        return inst.control_count("SELECT count(*) FROM audit_log WHERE action = 'lead.update' AND target = 'lead:" +
                                  std::to_string(alba) + "' AND actor = 'user:test|editor' AND organization_id = 1") ==
               1;
      },
      std::chrono::seconds(10)));

  struct Bad {
    const char* body;
    const char* field;
  };
  for (const auto& b : {Bad{R"({"phone":"12"})", "phone"}, Bad{R"({"status":"hot"})", "status"},
                        Bad{R"({"email":"x@y.com"})", "email"}, Bad{R"({"name":null})", "name"},
                        Bad{R"({"interests":"a"})", "interests"}, Bad{R"({"consents":{"fax":true}})", "consents.fax"},
                        Bad{R"({"score":5})", "score"}, Bad{"{}", "body"}, Bad{"not json", "body"}}) {
    res = server.send_as(t, "PATCH", path, b.body);
    INFO(b.body << "\n" << res.describe());
    CHECK(res.status == 400);
    CHECK_THAT(res.json()["error"].value("message", ""), Catch::StartsWith(std::string(b.field) + ":"));
  }
  CHECK(server.get_as(t, path).json().at("name") == "Alba Ruiz");  // refused changes changed nothing
  CHECK(server.send_as(t, "PATCH", "/api/v1/leads/999999", R"({"status":"lost"})").status == 404);
}

TEST_CASE("lead api: export as CSV or NDJSON, paged, audited", "[capture][leads][api]") {
  CaptureInstallation inst;
  load_leads(inst);
  ServeProcess server(inst.env());
  const auto t = DevAuth::instance().token(1, {"leads:export"}, "test|analyst");
  auto res = server.get_as(t, "/api/v1/leads/export");
  INFO(res.describe());
  REQUIRE(res.status == 200);
  CHECK_THAT(res.header("Content-Type").value_or(""), Catch::StartsWith("text/csv"));
  CHECK_THAT(res.body, Catch::StartsWith("id,email,name,"));
  CHECK_THAT(res.body, Catch::Contains("a2@example.com,Bruno"));
  CHECK(res.header("X-Lead-Count") == "5");
  CHECK_FALSE(res.header("X-Next-After-Id"));

  res = server.get_as(t, "/api/v1/leads/export?format=ndjson&status=qualified");
  REQUIRE(res.status == 200);
  CHECK(res.header("Content-Type") == "application/x-ndjson");
  int lines = 0;
  for (std::size_t at = 0; (at = res.body.find('\n', at)) != std::string::npos; ++at) ++lines;
  CHECK(lines == 2);
  CHECK(json::parse(res.body.substr(0, res.body.find('\n'))).at("status") == "qualified");

  // Paged: two at a time, following X-Next-After-Id.
  std::string after = "0";
  int total = 0, pages = 0;
  for (;;) {
    res = server.get_as(t, "/api/v1/leads/export?format=ndjson&limit=2&afterId=" + after);
    REQUIRE(res.status == 200);
    total += std::stoi(res.header("X-Lead-Count").value_or("0"));
    ++pages;
    const auto next = res.header("X-Next-After-Id");
    if (!next) break;
    after = *next;
    REQUIRE(pages < 10);
  }
  CHECK(total == 5);
  CHECK(pages == 3);
  CHECK(server.get_as(t, "/api/v1/leads/export?format=xml").status == 400);
  CHECK(poll_until(
      [&] {
        return inst.control_count("SELECT count(*) FROM audit_log WHERE action = 'lead.export' AND "
                                  "actor = 'user:test|analyst' AND organization_id = 1") >= 5;
      },
      std::chrono::seconds(10)));
}
