// Header names to lead fields: automatic English and Spanish names, --map.

#include <catch2/catch.hpp>

#include "promptsales/common/errors.hpp"
#include "promptsales/crm/column_mapping.hpp"
#include "promptsales/crm/lead_source.hpp"

using namespace promptsales::crm;

TEST_CASE("header names match case, accent, space and underscore insensitively") {
  CHECK(header_key("Correo Electrónico") == "correoelectronico");
  CHECK(header_key("E-mail") == "email");
  CHECK(header_key("PAÍS") == "pais");
  CHECK(header_key("first_name") == "firstname");
  struct Case {
    const char* header;
    LeadField field;
  };
  for (const Case c : {Case{"Email", LeadField::email}, Case{"E-Mail", LeadField::email},
                       Case{"correo", LeadField::email}, Case{"Correo electrónico", LeadField::email},
                       Case{"MAIL", LeadField::email}, Case{"Full Name", LeadField::name},
                       Case{"nombre completo", LeadField::name}, Case{"Nombre", LeadField::name},
                       Case{"First name", LeadField::first_name}, Case{"last_name", LeadField::last_name},
                       Case{"Apellidos", LeadField::last_name}, Case{"Teléfono", LeadField::phone},
                       Case{"Móvil", LeadField::phone}, Case{"celular", LeadField::phone},
                       Case{"Telephone", LeadField::phone}, Case{"Mobile", LeadField::phone},
                       Case{"Fuente", LeadField::source}, Case{"origen", LeadField::source},
                       Case{"Canal", LeadField::source}, Case{"País", LeadField::country},
                       Case{"pais", LeadField::country}, Case{"Ciudad", LeadField::city},
                       Case{"Localidad", LeadField::city}, Case{"Etiquetas", LeadField::interests},
                       Case{"tags", LeadField::interests}, Case{"Intereses", LeadField::interests},
                       Case{"Fecha de nacimiento", LeadField::birth_date}, Case{"Date of birth", LeadField::birth_date},
                       Case{"birthdate", LeadField::birth_date}, Case{"Edad", LeadField::age},
                       Case{"consent_email", LeadField::consent_email}, Case{"Acepta email", LeadField::consent_email},
                       Case{"Newsletter", LeadField::consent_email},
                       Case{"Marketing consent", LeadField::consent_email},
                       Case{"Consentimiento", LeadField::consent_email}, Case{"Estado", LeadField::status},
                       Case{"Campaña", LeadField::campaign_id}, Case{"campaign_id", LeadField::campaign_id}}) {
    INFO(c.header);
    CHECK(field_for_header(c.header) == c.field);
  }
  CHECK_FALSE(field_for_header("Notes"));
}

TEST_CASE("map_columns maps, lists the unmapped columns and lets the first duplicate win") {
  const auto m = map_columns({"Correo", "Nombre", "Notas", "Email"}, {});
  CHECK(m.fields[0] == LeadField::email);
  CHECK(m.fields[1] == LeadField::name);
  CHECK_FALSE(m.fields[2]);
  CHECK_FALSE(m.fields[3]);
  CHECK(m.unmapped == std::vector<std::string>{"Notas", "Email"});
  CHECK(m.column_of(LeadField::email) == 0u);
}

TEST_CASE("the map option overrides, adds and ignores columns") {
  const auto overrides = parse_map_option({"Contacto=email, Tel=phone", "Correo=ignore"});
  REQUIRE(overrides.size() == 3);
  const auto m = map_columns({"Correo", "Contacto", "tel", "Zona"}, overrides);
  CHECK_FALSE(m.fields[0]);
  CHECK(m.fields[1] == LeadField::email);
  CHECK(m.fields[2] == LeadField::phone);  // loose header match
  CHECK(m.unmapped == std::vector<std::string>{"Correo", "Zona"});
  CHECK(parse_map_option({"X=first name"})[0].field == LeadField::first_name);
}

TEST_CASE("map option mistakes are clear errors") {
  CHECK_THROWS_AS(parse_map_option({"Correo"}), promptsales::ValidationError);
  CHECK_THROWS_WITH(parse_map_option({"Correo=mail_address"}), Catch::Contains("unknown lead field \"mail_address\""));
  CHECK_THROWS_AS(parse_map_option({"=email"}), promptsales::ValidationError);
  try {
    map_columns({"a", "b"}, parse_map_option({"Correo=email"}));
    FAIL("no error");
  } catch (const ImportFileError& e) {
    CHECK(e.error().code == "unknown_map_header");
    CHECK_THAT(e.error().message, Catch::Contains("\"a\", \"b\""));
  }
  try {
    map_columns({"a", "b"}, parse_map_option({"a=email,b=email"}));
    FAIL("no error");
  } catch (const ImportFileError& e) {
    CHECK(e.error().code == "duplicate_map_target");
  }
}

TEST_CASE("no email column is a whole-file error naming the headers seen") {
  try {
    map_columns({"Nombre", "Teléfono"}, {});
    FAIL("no error");
  } catch (const ImportFileError& e) {
    CHECK(e.error().code == "missing_email_column");
    CHECK(e.error().line == 1);
    CHECK_THAT(e.error().message, Catch::Contains("\"Nombre\", \"Teléfono\"") && Catch::Contains("--map"));
  }
}
