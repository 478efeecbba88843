// Field rules for leads: each normaliser, its stable error code, and
// validate_lead putting them together.

#include <catch2/catch.hpp>

#include "promptsales/common/utf8.hpp"
#include "promptsales/crm/lead_validation.hpp"

using namespace promptsales::crm;

namespace {
template <class T>
std::string code(const FieldResult<T>& r) {
  return r ? "ok" : r.error().code;
}
}  // namespace

TEST_CASE("emails are trimmed and lower-cased and bad ones are invalid_email") {
  CHECK(*normalize_email("  Ana.Garcia+news@Example.COM ") == "ana.garcia+news@example.com");
  CHECK(*normalize_email("o'brien@sub.example.co.uk") == "o'brien@sub.example.co.uk");
  CHECK(code(normalize_email("")) == "missing_email");
  for (const char* bad : {"plain", "@example.com", "ana@", "ana@example", "ana@@example.com", "an a@example.com",
                          "ana@exa mple.com", ".ana@example.com", "ana..b@example.com", "ana@-example.com",
                          "ana@example.c", "ana@example.123", "josé@example.com", "ana@example..com", "\"a\"@x.com"}) {
    INFO(bad);
    CHECK(code(normalize_email(bad)) == "invalid_email");
  }
  CHECK(code(normalize_email(std::string(65, 'a') + "@example.com")) == "invalid_email");
  CHECK(code(normalize_email(std::string(64, 'a') + "@example.com")) == "ok");
  CHECK(code(normalize_email("a@" + std::string(250, 'b') + ".com")) == "invalid_email");
  CHECK(code(normalize_email("ana@xn--bcher-kva.example")) == "ok");
}

TEST_CASE("phones become E.164 with the default country") {
  CHECK(*normalize_phone("600 111 222", "ES") == "+34600111222");
  CHECK(*normalize_phone("+34 600-111-222", "") == "+34600111222");
  CHECK(*normalize_phone("0034 (600) 111.222", "MX") == "+34600111222");
  CHECK(*normalize_phone("06 12 34 56 78", "FR") == "+33612345678");      // trunk 0 dropped
  CHECK(*normalize_phone("07911 123456", "GB") == "+447911123456");
  CHECK(*normalize_phone("06 1234 5678", "IT") == "+390612345678");       // Italy keeps its 0
  CHECK(*normalize_phone("(415) 555-2671", "US") == "+14155552671");
  CHECK(*normalize_phone("1-415-555-2671", "US") == "+14155552671");
  CHECK(*normalize_phone("55 1234 5678", "MX") == "+525512345678");
  CHECK(code(normalize_phone("600111222", "")) == "invalid_phone");       // no country known
  CHECK(code(normalize_phone("+34 600 ext 5", "ES")) == "invalid_phone");
  CHECK(code(normalize_phone("+1234", "ES")) == "invalid_phone");         // too short
  CHECK(code(normalize_phone("+1234567890123456", "ES")) == "invalid_phone");
  CHECK(code(normalize_phone("+0600111222", "ES")) == "invalid_phone");
  CHECK(code(normalize_phone("60+0111222", "ES")) == "invalid_phone");
}

TEST_CASE("countries: codes, any case, and common names in English and Spanish") {
  CHECK(*normalize_country("es") == "ES");
  CHECK(*normalize_country(" MX ") == "MX");
  CHECK(*normalize_country("UK") == "GB");
  CHECK(*normalize_country("España") == "ES");
  CHECK(*normalize_country("ESPAÑA") == "ES");
  CHECK(*normalize_country("Spain") == "ES");
  CHECK(*normalize_country("México") == "MX");
  CHECK(*normalize_country("United States") == "US");
  CHECK(*normalize_country("Estados Unidos") == "US");
  CHECK(*normalize_country("Reino Unido") == "GB");
  CHECK(code(normalize_country("XX")) == "invalid_country");
  CHECK(code(normalize_country("Narnia")) == "invalid_country");
  CHECK(code(normalize_country("ESP")) == "invalid_country");
  CHECK(is_country_code("AQ"));
  CHECK_FALSE(is_country_code("EU"));
  CHECK(country_calling_code("ES") == 34);
  for (const char* eu : {"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
                         "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"}) {
    INFO(eu);
    CHECK(country_calling_code(eu).has_value());
    CHECK(is_country_code(eu));
  }
  for (const char* am : {"US", "CA", "MX", "AR", "BR", "CL", "CO", "PE", "UY", "CR", "GB"}) {
    INFO(am);
    CHECK(country_calling_code(am).has_value());
  }
}

TEST_CASE("birth dates are ISO calendar dates between 1900 and today") {
  const std::string today = "2024-06-15";
  CHECK(*normalize_birth_date("1990-05-17", today) == "1990-05-17");
  CHECK(*normalize_birth_date("2000-02-29", today) == "2000-02-29");
  CHECK(*normalize_birth_date("2024-06-15", today) == "2024-06-15");
  for (const char* bad : {"1900-02-29", "1985-02-30", "1990-13-01", "1990-00-10", "17/05/1990", "1990-5-17",
                          "1899-12-31", "2024-06-16", "1990-05-17T00:00:00", "abcd-ef-gh"}) {
    INFO(bad);
    CHECK(code(normalize_birth_date(bad, today)) == "invalid_date");
  }
  CHECK(today_utc().size() == 10);
}

TEST_CASE("ages, statuses, consents and campaign ids") {
  CHECK(*parse_age("0") == 0);
  CHECK(*parse_age(" 130 ") == 130);
  CHECK(code(parse_age("131")) == "invalid_age");
  CHECK(code(parse_age("-1")) == "invalid_age");
  CHECK(code(parse_age("30.5")) == "invalid_age");
  CHECK(*parse_status("Contacted") == LeadStatus::contacted);
  CHECK(*parse_status("nuevo") == LeadStatus::new_);
  CHECK(*parse_status("CUALIFICADO") == LeadStatus::qualified);
  CHECK(*parse_status("convertido") == LeadStatus::converted);
  CHECK(*parse_status("perdido") == LeadStatus::lost);
  CHECK(code(parse_status("maybe")) == "invalid_status");
  for (const char* yes : {"true", "YES", "sí", "Si", "1", "x", "X", "y"}) {
    INFO(yes);
    CHECK(*parse_consent(yes));
  }
  for (const char* no : {"false", "No", "0", "n"}) {
    INFO(no);
    CHECK_FALSE(*parse_consent(no));
  }
  CHECK(code(parse_consent("perhaps")) == "invalid_boolean");
  CHECK(*parse_campaign_id("42") == 42);
  CHECK(code(parse_campaign_id("0")) == "invalid_campaign");
  CHECK(code(parse_campaign_id("-3")) == "invalid_campaign");
  CHECK(code(parse_campaign_id("12a")) == "invalid_campaign");
  CHECK(code(parse_campaign_id("99999999999999999999")) == "invalid_campaign");
}

TEST_CASE("interests are split, trimmed, lower-cased, unique and capped") {
  CHECK(*normalize_interests(split_interests("Golf; viajes | golf,  ,Cine")) ==
        std::vector<std::string>{"cine", "golf", "viajes"});
  std::string many;
  for (int i = 0; i < 51; ++i) many += "t" + std::to_string(i) + ";";
  CHECK(code(normalize_interests(split_interests(many))) == "field_too_long");
  CHECK(code(normalize_interests({std::string(61, 'a')})) == "field_too_long");
  CHECK(code(normalize_interests({std::string(60, 'a')})) == "ok");
}

TEST_CASE("validate_lead builds a normalised lead from raw fields") {
  RawLead raw;
  raw.set(LeadField::email, "Correo", " Ana@Example.com ");
  raw.set(LeadField::name, "Nombre", "Ana");
  raw.set(LeadField::last_name, "Apellidos", "García López");
  raw.set(LeadField::phone, "Tel", "600 111 222");
  raw.set(LeadField::source, "Fuente", "Facebook");
  raw.set(LeadField::country, "País", "españa");
  raw.set(LeadField::city, "Ciudad", " Málaga ");
  raw.set(LeadField::interests, "Tags", "golf;Viajes");
  raw.set(LeadField::birth_date, "Nacimiento", "1990-05-17");
  raw.set(LeadField::age, "Edad", "");
  raw.set(LeadField::consent_email, "Newsletter", "sí");
  raw.set(LeadField::consent_given_at, "Fecha consentimiento", "2024-01-02T10:00:00Z");
  raw.set(LeadField::status, "Estado", "contactado");
  raw.set(LeadField::campaign_id, "Campaña", "12");
  ValidationOptions o{"ES", "2024-06-15"};
  ReadRecord rec;
  validate_lead(raw, 7, o, 5, rec);
  REQUIRE(rec.errors.empty());
  REQUIRE(rec.lead);
  const LeadInput& l = *rec.lead;
  CHECK(rec.line == 5);
  CHECK(l.organization_id == 7);
  CHECK(l.email == "ana@example.com");
  CHECK(l.name == "Ana García López");
  CHECK(l.phone == "+34600111222");
  CHECK(l.source == "facebook");
  CHECK(l.country == "ES");
  CHECK(l.city == "Málaga");
  CHECK(l.interests == std::vector<std::string>{"golf", "viajes"});
  CHECK(l.birth_date == "1990-05-17");
  CHECK_FALSE(l.age);
  CHECK(l.consents.email);
  CHECK_FALSE(l.consents.sms);
  CHECK(l.consents.given_at == "2024-01-02T10:00:00.000Z");
  CHECK(l.status == LeadStatus::contacted);
  CHECK(l.campaign_id == 12);
}

TEST_CASE("validate_lead reports every bad field and yields no lead") {
  RawLead raw;
  raw.set(LeadField::email, "email", "not-an-email");
  raw.set(LeadField::phone, "phone", "12");
  raw.set(LeadField::country, "country", "Atlantis");
  raw.set(LeadField::age, "age", "200");
  const std::string long_name(201, 'n');  // RawLead holds views: keep the bytes alive
  raw.set(LeadField::name, "name", long_name);
  const std::string long_city = "=" + std::string(300, 'c');
  raw.set(LeadField::city, "city", long_city);
  ReadRecord rec;
  validate_lead(raw, 1, ValidationOptions{"ES", "2024-01-01"}, 9, rec);
  CHECK_FALSE(rec.lead);
  REQUIRE(rec.errors.size() == 6);
  std::vector<std::string> codes;
  for (const auto& e : rec.errors) {
    codes.push_back(e.code);
    CHECK(e.line == 9);
    CHECK(e.value.size() <= 200);
    CHECK_FALSE(e.message.empty());
  }
  CHECK(codes == std::vector<std::string>{"invalid_email", "field_too_long", "invalid_phone", "invalid_country",
                                          "field_too_long", "invalid_age"});
  CHECK(rec.errors[0].column == "email");
  CHECK(rec.errors[0].value == "not-an-email");
  CHECK_THAT(rec.errors[0].message, Catch::StartsWith("email: "));
}

TEST_CASE("validate_lead: no email is missing_email and values are cut to 200 bytes on a character boundary") {
  RawLead raw;
  std::string name;
  for (int i = 0; i < 150; ++i) name += "ñ";  // 300 bytes, 150 characters: fits the name
  raw.set(LeadField::name, "name", name);
  raw.set(LeadField::email, "email", "   ");
  std::string tags = "a";
  for (int i = 0; i < 150; ++i) tags += "é";  // one interest of 151 characters, 301 bytes
  raw.set(LeadField::interests, "tags", tags);
  ReadRecord rec;
  validate_lead(raw, 1, ValidationOptions{}, 2, rec);
  REQUIRE(rec.errors.size() == 2);
  CHECK(rec.errors[0].code == "missing_email");
  CHECK(rec.errors[0].column == "email");
  CHECK(rec.errors[1].code == "field_too_long");
  // 200 bytes would end inside a character: the value stops one byte short.
  CHECK(rec.errors[1].value.size() == 199);
  CHECK(promptsales::utf8_length(rec.errors[1].value).has_value());
}
