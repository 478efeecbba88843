// The stateless half of lead capture (signatures, timestamps, the body) and
// the API's lead patch: pure functions, no database.
#include <cctype>
#include <functional>

#include <catch2/catch.hpp>

#include "promptsales/crm/lead_capture.hpp"
#include "promptsales/crm/lead_patch.hpp"

using namespace promptsales::crm;
using promptsales::ValidationError;
using Clock = std::chrono::system_clock;

namespace {

Clock::time_point at(std::int64_t unix_seconds) { return Clock::time_point(std::chrono::seconds(unix_seconds)); }

std::string code_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const CaptureRefused& e) {
    return std::string(e.code()) + "/" + std::to_string(e.http_status());
  }
  return "accepted";
}

}  // namespace

TEST_CASE("capture signature: HMAC-SHA256 of timestamp.body, hex, with a sha256= prefix", "[capture]") {
  // From the README's recipe: printf '%s' '1700000000.{"email":"a@b.com"}' | openssl dgst -sha256 -hmac pscs_0123
  CHECK(sign_capture("pscs_0123", "1700000000", R"({"email":"a@b.com"})") ==
        "sha256=f875404dbabba70735209cef88557039f177d967697f60e02e56259de4acbdb5");
}

TEST_CASE("capture signature: verification refuses what it must", "[capture]") {
  const std::string secret = "pscs_0123";
  const std::string body = R"({"email":"a@b.com"})";
  const auto now = at(1'700'000'000);
  const std::string ts = "1700000000";
  const auto sig = sign_capture(secret, ts, body);
  const std::chrono::seconds tol(300);
  auto verify = [&](std::optional<std::string_view> t, std::optional<std::string_view> s, std::string_view b,
                    Clock::time_point n = at(1'700'000'000)) {
    return code_of([&] { verify_capture_signature(secret, t, s, b, n, tol); });
  };
  CHECK(verify(ts, sig, body) == "accepted");
  CHECK(verify_capture_signature(secret, ts, sig, body, now, tol).size() == 32);
  std::string upper = sig;
  for (std::size_t i = 7; i < upper.size(); ++i) upper[i] = static_cast<char>(std::toupper(upper[i]));
  CHECK(verify(ts, upper, body) == "accepted");  // hex in either case
  CHECK(verify(std::nullopt, sig, body) == "missing_signature/401");
  CHECK(verify(ts, std::nullopt, body) == "missing_signature/401");
  CHECK(verify(ts, "", body) == "missing_signature/401");
  CHECK(verify(ts, sig, body + " ") == "bad_signature/401");
  CHECK(verify(ts, sign_capture("other", ts, body), body) == "bad_signature/401");
  CHECK(verify(ts, sig.substr(0, sig.size() - 2), body) == "bad_signature/401");
  CHECK(verify(ts, "sha1=" + sig.substr(7), body) == "bad_signature/401");
  CHECK(verify(ts, "sha256=" + std::string(64, 'z'), body) == "bad_signature/401");
  CHECK(verify("17e8", sig, body) == "bad_timestamp/401");
  CHECK(verify("-5", sig, body) == "bad_timestamp/401");
  // Tolerance is inclusive, both ways; the timestamp is part of what is signed.
  CHECK(verify(ts, sig, body, at(1'700'000'300)) == "accepted");
  CHECK(verify(ts, sig, body, at(1'699'999'700)) == "accepted");
  CHECK(verify(ts, sig, body, at(1'700'000'301)) == "stale_timestamp/401");
  CHECK(verify(ts, sig, body, at(1'699'999'699)) == "stale_timestamp/401");
  CHECK(verify("1700000001", sig, body) == "bad_signature/401");
}

TEST_CASE("capture body: validated like an import row", "[capture]") {
  const auto lead = parse_capture_body(
      "{\n  \"correo\": \"Ana@Example.COM\",\n  \"nombre\": \"Ana\",\n  \"teléfono\": \"611 222 333\",\n"
      "  \"status\": \"converted\", \"campaign_id\": 9, \"intereses\": [\"B\", \"a\"]\n}",
      4, "ES");
  CHECK(lead.organization_id == 4);
  CHECK(lead.email == "ana@example.com");
  CHECK(lead.name == "Ana");
  CHECK(lead.phone == "+34611222333");
  CHECK(lead.interests == std::vector<std::string>{"a", "b"});
  CHECK_FALSE(lead.status);       // a form does not decide the status
  CHECK_FALSE(lead.campaign_id);  // nor the campaign: the capture does
  CHECK(lead.source == "capture");
  CHECK(parse_capture_body(R"({"email":"x@y.com","source":"Landing"})", 1).source == "landing");

  auto codes = [](std::string_view body) {
    try {
      parse_capture_body(body, 1);
    } catch (const LeadRejected& e) {
      std::string out;
      for (const auto& r : e.errors()) out += (out.empty() ? "" : ",") + r.column + ":" + r.code;
      CHECK(e.http_status() == 400);
      return out;
    }
    return std::string("accepted");
  };
  CHECK(codes(R"({"email":"nope"})") == "email:invalid_email");
  CHECK(codes(R"({"name":"x"})") == ":missing_email");
  CHECK(codes(R"({"email":"a@b.com","country":"Narnia","age":"200"})") == "country:invalid_country,age:invalid_age");
  CHECK(codes("[]") == ":invalid_json");
  CHECK(codes("{\"email\":") == ":invalid_json");
  CHECK(codes("") == ":empty_body");
  CHECK(codes(R"({"email":"a@b.com"} {"email":"c@d.com"})") == ":invalid_json");
}

TEST_CASE("lead patch: the API's fields, checked with the import's rules", "[capture]") {
  const auto u = parse_lead_patch(
      R"({"status":"Cualificado","name":" Ana ","phone":"+34 611 222 333","city":"León",)"
      R"("interests":["Yoga","yoga","b"],"consents":{"email":true,"givenAt":"2024-05-01T10:00:00Z"}})");
  CHECK(u.status == LeadStatus::qualified);
  CHECK(u.name == "Ana");
  CHECK(u.phone == "+34611222333");
  CHECK(u.city == "León");
  CHECK(u.interests == std::vector<std::string>{"b", "yoga"});
  CHECK(u.consent_email == true);
  CHECK_FALSE(u.consent_sms);
  CHECK(u.consent_given_at);
  CHECK_FALSE(u.score);

  auto field = [](std::string_view body) {
    try {
      parse_lead_patch(body);
    } catch (const ValidationError& e) {
      return e.field();
    }
    return std::string("accepted");
  };
  CHECK(field(R"({"phone":"611"})") == "phone");
  CHECK(field(R"({"name":""})") == "name");
  CHECK(field(R"({"name":1})") == "name");
  CHECK(field(R"({"city":null})") == "city");
  CHECK(field(R"({"email":"a@b.com"})") == "email");
  CHECK(field(R"({"score":3})") == "score");
  CHECK(field(R"({"consents":{"email":"yes"}})") == "consents.email");
  CHECK(field(R"({"consents":{"givenAt":"yesterday"}})") == "consents.givenAt");
  CHECK(field(R"({"interests":[1]})") == "interests");
  CHECK(field(R"({"name":")" + std::string(201, 'x') + R"("})") == "name");
  CHECK(field("{}") == "body");
  CHECK(field("[1]") == "body");
}
