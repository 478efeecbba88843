// The API's camelCase JSON form of campaigns, both ways.
#include <catch2/catch.hpp>

#include <functional>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "promptsales/ads/campaign_json.hpp"
#include "promptsales/common/errors.hpp"

using namespace promptsales::ads;
using nlohmann::json;
using promptsales::ValidationError;

namespace {

Campaign sample() {
  Campaign c;
  c.id = 42;
  c.organization_id = 7;
  c.name = "Navidad \"Mágica\" \\ 🎄";
  c.description = "Línea 1\nLínea 2\t<b>&</b>\x01";
  c.status = CampaignStatus::paused;
  c.enabled = false;
  c.deleted = true;
  c.budget = "1500.50";
  c.currency = "EUR";
  c.channels = {"facebook", "whatsapp"};
  c.starts_at = "2026-03-01T09:00:00.000Z";
  c.ends_at = std::nullopt;
  c.checksum = std::string(64, 'a');
  c.created_at = "2026-01-02T03:04:05.678Z";
  c.updated_at = "2026-01-03T03:04:05.678Z";
  return c;
}

ValidationError invalid(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const ValidationError& e) {
    return e;
  }
  FAIL("expected a ValidationError");
  throw;
}

std::string field_of_draft(const std::string& body) {
  return invalid([&] { draft_from_json(body); }).field();
}
std::string field_of_patch(const std::string& body) {
  return invalid([&] { patch_from_json(body); }).field();
}

}  // namespace

TEST_CASE("campaign_to_json: valid JSON with camelCase fields", "[ads][json]") {
  const auto c = sample();
  const auto j = json::parse(campaign_to_json(c));
  REQUIRE(j.is_object());
  const std::set<std::string> expected = {"id",       "organizationId", "name",     "description", "status",
                                          "enabled",  "deleted",        "budget",   "currency",    "channels",
                                          "startsAt", "endsAt",         "checksum", "createdAt",   "updatedAt"};
  std::set<std::string> keys;
  for (const auto& [k, v] : j.items()) keys.insert(k);
  CHECK(keys == expected);

  CHECK(j["id"] == 42);
  CHECK(j["organizationId"] == 7);
  CHECK(j["name"] == c.name);
  CHECK(j["description"] == c.description);
  CHECK(j["status"] == "paused");
  CHECK(j["enabled"] == false);
  CHECK(j["deleted"] == true);
  CHECK(j["budget"].is_number());
  CHECK(j["budget"].get<double>() == Approx(1500.5));
  CHECK(j["currency"] == "EUR");
  CHECK(j["channels"] == json::array({"facebook", "whatsapp"}));
  CHECK(j["startsAt"] == "2026-03-01T09:00:00.000Z");
  CHECK(j["endsAt"].is_null());
  CHECK(j["checksum"] == c.checksum);
  CHECK(j["createdAt"] == c.created_at);
  CHECK(j["updatedAt"] == c.updated_at);
  // Budget keeps its two decimals in the bytes.
  CHECK_THAT(campaign_to_json(c), Catch::Contains("\"budget\":1500.50"));
}

TEST_CASE("campaign_to_json: invalid UTF-8 in stored text still gives valid JSON", "[ads][json]") {
  auto c = sample();
  c.name = "bad \xff byte";
  const auto j = json::parse(campaign_to_json(c));
  CHECK(j["name"] == "bad \xEF\xBF\xBD byte");
}

TEST_CASE("campaigns_to_json: arrays", "[ads][json]") {
  CHECK(campaigns_to_json({}) == "[]");
  CHECK(json::parse(campaigns_to_json({})).is_array());
  auto a = sample();
  auto b = sample();
  b.id = 43;
  b.channels.clear();
  b.starts_at.reset();
  b.ends_at = "2026-12-31T00:00:00.000Z";
  b.budget = "0.00";
  const auto j = json::parse(campaigns_to_json({a, b, a}));
  REQUIRE(j.is_array());
  REQUIRE(j.size() == 3);
  CHECK(j[0]["id"] == 42);
  CHECK(j[1]["id"] == 43);
  CHECK(j[1]["channels"] == json::array());
  CHECK(j[1]["startsAt"].is_null());
  CHECK(j[1]["endsAt"] == "2026-12-31T00:00:00.000Z");
  CHECK(j[1]["budget"] == 0);
  CHECK(j[2] == j[0]);
}

TEST_CASE("draft_from_json: every field", "[ads][json]") {
  const auto d = draft_from_json(R"({
    "organizationId": 7, "name": "Summer Sale", "description": "Hot",
    "status": "active", "enabled": false, "budget": "1500.50", "currency": "eur",
    "channels": ["facebook", "Email"], "startsAt": "2026-03-01", "endsAt": "2026-03-31T00:00:00Z"})");
  CHECK(d.organization_id == 7);
  CHECK(d.name == "Summer Sale");
  CHECK(d.description == "Hot");
  CHECK(d.status == CampaignStatus::active);
  CHECK_FALSE(d.enabled);
  CHECK(d.budget == "1500.50");
  CHECK(d.currency == "eur");  // normalised by the service, not the parser
  CHECK(d.channels == std::vector<std::string>{"facebook", "Email"});
  CHECK(d.starts_at == "2026-03-01");
  CHECK(d.ends_at == "2026-03-31T00:00:00Z");
}

TEST_CASE("draft_from_json: minimal body takes defaults", "[ads][json]") {
  const auto d = draft_from_json(R"({"organizationId": 1, "name": "x"})");
  CHECK(d.organization_id == 1);
  CHECK(d.name == "x");
  CHECK(d.description.empty());
  CHECK_FALSE(d.status.has_value());
  CHECK(d.enabled);
  CHECK(d.budget == "0");
  CHECK(d.currency == "USD");
  CHECK(d.channels.empty());
  CHECK_FALSE(d.starts_at.has_value());
  CHECK_FALSE(d.ends_at.has_value());
}

TEST_CASE("draft_from_json: budget as number or string", "[ads][json]") {
  const auto budget = [](const std::string& v) {
    return draft_from_json(R"({"organizationId":1,"name":"x","budget":)" + v + "}").budget;
  };
  CHECK(budget("1500") == "1500");
  CHECK(budget("0") == "0");
  CHECK(budget("1500.5") == "1500.50");
  CHECK(budget("1500.25") == "1500.25");
  CHECK(budget("0.1") == "0.10");
  CHECK(budget("\"1500.5\"") == "1500.5");
  CHECK(budget("\"abc\"") == "abc");  // the service's validation refuses it
  CHECK(field_of_draft(R"({"organizationId":1,"name":"x","budget":1500.555})") == "budget");
  CHECK(field_of_draft(R"({"organizationId":1,"name":"x","budget":true})") == "budget");
  CHECK(field_of_draft(R"({"organizationId":1,"name":"x","budget":null})") == "budget");
  CHECK(field_of_draft(R"({"organizationId":1,"name":"x","budget":[1]})") == "budget");
}

TEST_CASE("draft_from_json: errors name the field", "[ads][json]") {
  SECTION("malformed JSON and non-objects") {
    for (const char* body : {"", "{", "{\"name\":}", "not json", "[]", "null", "42", "\"text\"",
                             "{\"organizationId\":1,\"name\":\"x\"} trailing"}) {
      INFO(body);
      CHECK(field_of_draft(body) == "body");
    }
  }
  SECTION("required fields") {
    CHECK(field_of_draft(R"({"organizationId":1})") == "name");
    CHECK(field_of_draft("{}") == "name");
    // organizationId may be left out: the caller's token supplies it
    // (CampaignService::create refuses its absence for operators).
    CHECK(draft_from_json(R"({"name":"x"})").organization_id == 0);
  }
  SECTION("unknown fields, including snake_case spellings") {
    const auto e = invalid([] { draft_from_json(R"({"organizationId":1,"name":"x","colour":"red"})"); });
    CHECK(e.field() == "colour");
    CHECK_THAT(e.what(), Catch::Contains("not a campaign field"));
    CHECK(field_of_draft(R"({"organization_id":1,"name":"x"})") == "organization_id");
    CHECK(field_of_draft(R"({"organizationId":1,"name":"x","id":5})") == "id");
  }
  SECTION("wrong types") {
    const std::pair<const char*, const char*> cases[] = {
        {R"({"organizationId":"1","name":"x"})", "organizationId"},
        {R"({"organizationId":1.5,"name":"x"})", "organizationId"},
        {R"({"organizationId":null,"name":"x"})", "organizationId"},
        {R"({"organizationId":1,"name":5})", "name"},
        {R"({"organizationId":1,"name":null})", "name"},
        {R"({"organizationId":1,"name":"x","description":[]})", "description"},
        {R"({"organizationId":1,"name":"x","status":1})", "status"},
        {R"({"organizationId":1,"name":"x","status":"bogus"})", "status"},
        {R"({"organizationId":1,"name":"x","enabled":"yes"})", "enabled"},
        {R"({"organizationId":1,"name":"x","enabled":1})", "enabled"},
        {R"({"organizationId":1,"name":"x","currency":840})", "currency"},
        {R"({"organizationId":1,"name":"x","channels":"facebook"})", "channels"},
        {R"({"organizationId":1,"name":"x","channels":["facebook",1]})", "channels"},
        {R"({"organizationId":1,"name":"x","startsAt":20260301})", "startsAt"},
        {R"({"organizationId":1,"name":"x","endsAt":{}})", "endsAt"},
    };
    for (const auto& [body, field] : cases) {
      INFO(body);
      CHECK(field_of_draft(body) == field);
    }
  }
  SECTION("null dates and description mean absent") {
    const auto d = draft_from_json(R"({"organizationId":1,"name":"x","startsAt":null,"endsAt":null,"description":null})");
    CHECK_FALSE(d.starts_at.has_value());
    CHECK_FALSE(d.ends_at.has_value());
    CHECK(d.description.empty());
  }
}

TEST_CASE("patch_from_json: only present fields", "[ads][json]") {
  SECTION("empty object is an empty patch") { CHECK(patch_from_json("{}").empty()); }
  SECTION("each field") {
    const auto p = patch_from_json(R"({"name":"n","description":"d","status":"ended","enabled":true,
      "budget":10.5,"currency":"usd","channels":[],"startsAt":"2026-01-01","endsAt":"2026-02-01"})");
    CHECK(p.name == "n");
    CHECK(p.description == "d");
    CHECK(p.status == CampaignStatus::ended);
    CHECK(p.enabled == true);
    CHECK(p.budget == "10.50");
    CHECK(p.currency == "usd");
    REQUIRE(p.channels.has_value());
    CHECK(p.channels->empty());
    REQUIRE(p.starts_at.has_value());
    CHECK(*p.starts_at == "2026-01-01");
    REQUIRE(p.ends_at.has_value());
    CHECK(*p.ends_at == "2026-02-01");
  }
  SECTION("absent stays absent") {
    const auto p = patch_from_json(R"({"name":"only"})");
    CHECK(p.name == "only");
    CHECK_FALSE(p.description.has_value());
    CHECK_FALSE(p.status.has_value());
    CHECK_FALSE(p.enabled.has_value());
    CHECK_FALSE(p.budget.has_value());
    CHECK_FALSE(p.currency.has_value());
    CHECK_FALSE(p.channels.has_value());
    CHECK_FALSE(p.starts_at.has_value());
    CHECK_FALSE(p.ends_at.has_value());
    CHECK_FALSE(p.empty());
  }
  SECTION("null clears the dates") {
    const auto p = patch_from_json(R"({"startsAt":null,"endsAt":null})");
    REQUIRE(p.starts_at.has_value());
    CHECK_FALSE(p.starts_at->has_value());
    REQUIRE(p.ends_at.has_value());
    CHECK_FALSE(p.ends_at->has_value());
    CHECK_FALSE(p.empty());
  }
  SECTION("null description clears it") {
    const auto p = patch_from_json(R"({"description":null})");
    CHECK(p.description == "");
  }
  SECTION("read-only fields cannot be changed") {
    for (const char* key : {"organizationId", "id", "createdAt", "updatedAt", "checksum", "deleted"}) {
      const auto e = invalid([&] { patch_from_json(std::string("{\"") + key + "\":1}"); });
      CHECK(e.field() == key);
      CHECK_THAT(e.what(), Catch::Contains("cannot be changed"));
    }
  }
  SECTION("unknown fields and wrong types") {
    CHECK(field_of_patch(R"({"title":"x"})") == "title");
    CHECK(field_of_patch(R"({"name":1})") == "name");
    CHECK(field_of_patch(R"({"name":null})") == "name");
    CHECK(field_of_patch(R"({"enabled":"false"})") == "enabled");
    CHECK(patch_from_json(R"({"budget":"1"})").budget == "1");  // strings are accepted
    CHECK(field_of_patch(R"({"channels":[null]})") == "channels");
    CHECK(field_of_patch(R"({"status":"archived"})") == "status");
    CHECK(field_of_patch(R"({"startsAt":5})") == "startsAt");
  }
  SECTION("malformed JSON") {
    for (const char* body : {"", "{", "[{}]", "true"}) CHECK(field_of_patch(body) == "body");
  }
}

TEST_CASE("JSON round trip: campaign -> JSON -> draft", "[ads][json]") {
  auto c = sample();
  auto j = json::parse(campaign_to_json(c));
  // Read-only fields are not part of a create body.
  for (const char* k : {"id", "deleted", "checksum", "createdAt", "updatedAt"}) j.erase(k);
  j["status"] = "active";  // paused cannot be created
  const auto d = draft_from_json(j.dump());
  CHECK(d.organization_id == c.organization_id);
  CHECK(d.name == c.name);
  CHECK(d.description == c.description);
  CHECK(d.status == CampaignStatus::active);
  CHECK(d.enabled == c.enabled);
  CHECK(d.budget == c.budget);
  CHECK(d.currency == c.currency);
  CHECK(d.channels == c.channels);
  CHECK(d.starts_at == c.starts_at);
  CHECK_FALSE(d.ends_at.has_value());
}
