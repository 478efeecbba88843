#include "promptsales/crm/column_mapping.hpp"

#include <array>
#include <utility>

#include "promptsales/common/errors.hpp"
#include "promptsales/crm/lead_source.hpp"

namespace promptsales::crm {

namespace {

constexpr std::array<std::string_view, kLeadFieldCount> kFieldNames{
    "email",      "name", "first_name",    "last_name",   "phone",       "source",           "country", "city",
    "interests",  "birth_date", "age",     "consent_email", "consent_sms", "consent_phone", "consent_given_at",
    "status",     "campaign_id"};

/// Header names (in header_key form) each field is recognised by.
constexpr std::pair<std::string_view, LeadField> kAliases[] = {
    // email
    {"email", LeadField::email}, {"mail", LeadField::email}, {"emailaddress", LeadField::email},
    {"correo", LeadField::email}, {"correoelectronico", LeadField::email}, {"ecorreo", LeadField::email},
    {"direcciondecorreo", LeadField::email}, {"direcciondeemail", LeadField::email}, {"emails", LeadField::email},
    // name
    {"name", LeadField::name}, {"fullname", LeadField::name}, {"contactname", LeadField::name},
    {"nombre", LeadField::name}, {"nombrecompleto", LeadField::name}, {"nombreyapellidos", LeadField::name},
    {"firstname", LeadField::first_name}, {"givenname", LeadField::first_name}, {"nombredepila", LeadField::first_name},
    {"lastname", LeadField::last_name}, {"surname", LeadField::last_name}, {"familyname", LeadField::last_name},
    {"apellido", LeadField::last_name}, {"apellidos", LeadField::last_name},
    // phone
    {"phone", LeadField::phone}, {"phonenumber", LeadField::phone}, {"telephone", LeadField::phone},
    {"tel", LeadField::phone}, {"mobile", LeadField::phone}, {"mobilephone", LeadField::phone},
    {"cell", LeadField::phone}, {"cellphone", LeadField::phone}, {"telefono", LeadField::phone},
    {"telefonomovil", LeadField::phone}, {"movil", LeadField::phone}, {"celular", LeadField::phone},
    {"numerodetelefono", LeadField::phone}, {"whatsapp", LeadField::phone},
    // source
    {"source", LeadField::source}, {"leadsource", LeadField::source}, {"channel", LeadField::source},
    {"fuente", LeadField::source}, {"origen", LeadField::source}, {"canal", LeadField::source},
    // country
    {"country", LeadField::country}, {"countrycode", LeadField::country}, {"pais", LeadField::country},
    {"codigopais", LeadField::country}, {"codigodepais", LeadField::country},
    // city
    {"city", LeadField::city}, {"town", LeadField::city}, {"ciudad", LeadField::city},
    {"localidad", LeadField::city}, {"poblacion", LeadField::city}, {"municipio", LeadField::city},
    // interests
    {"interests", LeadField::interests}, {"interest", LeadField::interests}, {"tags", LeadField::interests},
    {"intereses", LeadField::interests}, {"interes", LeadField::interests}, {"etiquetas", LeadField::interests},
    // dates and age
    {"birthdate", LeadField::birth_date}, {"dateofbirth", LeadField::birth_date}, {"birthday", LeadField::birth_date},
    {"dob", LeadField::birth_date}, {"fechadenacimiento", LeadField::birth_date},
    {"fechanacimiento", LeadField::birth_date}, {"nacimiento", LeadField::birth_date},
    {"age", LeadField::age}, {"edad", LeadField::age},
    // consents
    {"consentemail", LeadField::consent_email}, {"emailconsent", LeadField::consent_email},
    {"aceptaemail", LeadField::consent_email}, {"newsletter", LeadField::consent_email},
    {"marketingconsent", LeadField::consent_email}, {"consent", LeadField::consent_email},
    {"consentimiento", LeadField::consent_email}, {"consentimientoemail", LeadField::consent_email},
    {"optin", LeadField::consent_email}, {"emailoptin", LeadField::consent_email},
    {"aceptapublicidad", LeadField::consent_email}, {"aceptacomunicaciones", LeadField::consent_email},
    {"consentsms", LeadField::consent_sms}, {"smsconsent", LeadField::consent_sms}, {"aceptasms", LeadField::consent_sms},
    {"smsoptin", LeadField::consent_sms}, {"consentimientosms", LeadField::consent_sms},
    {"consentphone", LeadField::consent_phone}, {"phoneconsent", LeadField::consent_phone},
    {"aceptallamadas", LeadField::consent_phone}, {"aceptatelefono", LeadField::consent_phone},
    {"consentimientotelefono", LeadField::consent_phone},
    {"consentgivenat", LeadField::consent_given_at}, {"consentdate", LeadField::consent_given_at},
    {"fechaconsentimiento", LeadField::consent_given_at}, {"fechadeconsentimiento", LeadField::consent_given_at},
    // status and campaign
    {"status", LeadField::status}, {"leadstatus", LeadField::status}, {"estado", LeadField::status},
    {"campaign", LeadField::campaign_id}, {"campaignid", LeadField::campaign_id}, {"campana", LeadField::campaign_id},
    {"idcampana", LeadField::campaign_id}, {"campanaid", LeadField::campaign_id},
};

/// Latin-1 supplement letters U+00C0..U+00FF (UTF-8 C3 80..C3 BF) without
/// their accent; '?' keeps the character as it is.
constexpr std::string_view kFolded = "aaaaaa?ceeeeiiiidnooooo?ouuuuy??aaaaaa?ceeeeiiiidnooooo?ouuuuy?y";

[[noreturn]] void file_error(std::string code, std::string message) {
  RowError e;
  e.line = 1;
  e.code = std::move(code);
  e.message = std::move(message);
  throw ImportFileError(std::move(e));
}

std::string quoted_list(const std::vector<std::string>& headers) {
  std::string out;
  for (const auto& h : headers) {
    if (!out.empty()) out += ", ";
    out += '"' + h + '"';
  }
  return out.empty() ? "(none)" : out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string_view to_string(LeadField f) noexcept { return kFieldNames[static_cast<std::size_t>(f)]; }

std::string header_key(std::string_view header) {
  std::string out;
  out.reserve(header.size());
  for (std::size_t i = 0; i < header.size(); ++i) {
    const auto c = static_cast<unsigned char>(header[i]);
    if (c == ' ' || c == '_' || c == '-' || c == '.' || c == '\t') continue;
    if (c >= 'A' && c <= 'Z') {
      out += static_cast<char>(c - 'A' + 'a');
    } else if (c == 0xC3 && i + 1 < header.size()) {
      const auto c1 = static_cast<unsigned char>(header[i + 1]);
      if (c1 >= 0x80 && c1 <= 0xBF && kFolded[c1 - 0x80] != '?') {
        out += kFolded[c1 - 0x80];
        ++i;
      } else {
        out += header[i];
      }
    } else if (c == 0xC2 && i + 1 < header.size() &&
               (static_cast<unsigned char>(header[i + 1]) == 0xBA || static_cast<unsigned char>(header[i + 1]) == 0xAA)) {
      ++i;  // "Nº", "Nª": ordinal indicators carry no meaning here
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::optional<LeadField> lead_field_from_string(std::string_view s) {
  const std::string key = header_key(s);
  for (std::size_t i = 0; i < kFieldNames.size(); ++i) {
    std::string name;
    for (char c : kFieldNames[i])
      if (c != '_') name += c;
    if (key == name) return static_cast<LeadField>(i);
  }
  return std::nullopt;
}

std::optional<LeadField> field_for_header(std::string_view header) {
  const std::string key = header_key(header);
  for (const auto& [alias, field] : kAliases)
    if (alias == key) return field;
  return std::nullopt;
}

std::optional<std::size_t> ColumnMapping::column_of(LeadField f) const {
  for (std::size_t i = 0; i < fields.size(); ++i)
    if (fields[i] == f) return i;
  return std::nullopt;
}

std::vector<MapOverride> parse_map_option(const std::vector<std::string>& specs) {
  std::vector<MapOverride> out;
  for (const std::string& spec : specs) {
    std::string_view rest = spec;
    while (!rest.empty()) {
      const std::size_t comma = rest.find(',');
      const std::string_view pair = trim(rest.substr(0, comma));
      rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
      if (pair.empty()) continue;
      const std::size_t eq = pair.rfind('=');
      if (eq == std::string_view::npos || trim(pair.substr(0, eq)).empty() || trim(pair.substr(eq + 1)).empty()) {
        throw ValidationError("--map", "\"" + std::string(pair) + "\" is not Header=field (e.g. --map \"Correo=email,Tel=phone\")");
      }
      MapOverride o;
      o.header = std::string(trim(pair.substr(0, eq)));
      const std::string_view target = trim(pair.substr(eq + 1));
      if (target != "ignore" && target != "-") {
        o.field = lead_field_from_string(target);
        if (!o.field) {
          std::string known;
          for (auto n : kFieldNames) known += std::string(known.empty() ? "" : ", ") + std::string(n);
          throw ValidationError("--map", "unknown lead field \"" + std::string(target) + "\" for header \"" + o.header +
                                             "\"; the fields are " + known + ", or ignore");
        }
      }
      out.push_back(std::move(o));
    }
  }
  return out;
}

ColumnMapping map_columns(const std::vector<std::string>& headers, const std::vector<MapOverride>& overrides) {
  ColumnMapping m;
  m.headers = headers;
  m.fields.assign(headers.size(), std::nullopt);
  std::vector<bool> decided(headers.size(), false);
  std::vector<bool> taken(kLeadFieldCount, false);
  for (const MapOverride& o : overrides) {
    // An exact header name wins over a loose (header_key) match.
    std::optional<std::size_t> col;
    for (std::size_t i = 0; i < headers.size() && !col; ++i)
      if (headers[i] == o.header) col = i;
    const std::string key = header_key(o.header);
    for (std::size_t i = 0; i < headers.size() && !col; ++i)
      if (header_key(headers[i]) == key) col = i;
    if (!col) {
      file_error("unknown_map_header", "--map names the header \"" + o.header +
                                           "\", which the file does not have; its headers are " + quoted_list(headers));
    }
    if (o.field) {
      const auto f = static_cast<std::size_t>(*o.field);
      if (taken[f]) {
        file_error("duplicate_map_target",
                   "--map sends two headers to the field " + std::string(to_string(*o.field)) + "; keep one");
      }
      taken[f] = true;
    }
    m.fields[*col] = o.field;
    decided[*col] = true;
  }
  for (std::size_t i = 0; i < headers.size(); ++i) {
    if (decided[i]) continue;
    const auto f = field_for_header(headers[i]);
    if (f && !taken[static_cast<std::size_t>(*f)]) {
      taken[static_cast<std::size_t>(*f)] = true;
      m.fields[i] = f;
    }
  }
  for (std::size_t i = 0; i < headers.size(); ++i)
    if (!m.fields[i]) m.unmapped.push_back(headers[i]);
  if (!taken[static_cast<std::size_t>(LeadField::email)]) {
    file_error("missing_email_column", "no email column: the headers are " + quoted_list(headers) +
                                           "; name the email column with --map \"Header=email\"");
  }
  return m;
}

}  // namespace promptsales::crm
