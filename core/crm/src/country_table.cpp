// ISO 3166-1 alpha-2 codes, calling codes and common country names.

#include <algorithm>
#include <string_view>

#include "country_table.hpp"
#include "promptsales/crm/lead_validation.hpp"

namespace promptsales::crm {

namespace {

/// All 249 officially assigned alpha-2 codes, sorted, two letters each.
constexpr std::string_view kCodes =
    "ADAEAFAGAIALAMAOAQARASATAUAWAXAZBABBBDBEBFBGBHBIBJBLBMBNBOBQBRBSBTBVBWBYBZCACCCDCFCGCHCICKCLCMCNCOCRCUCVCWCX"
    "CYCZDEDJDKDMDODZECEEEGEHERESETFIFJFKFMFOFRGAGBGDGEGFGGGHGIGLGMGNGPGQGRGSGTGUGWGYHKHMHNHRHTHUIDIEILIMINIOIQIR"
    "ISITJEJMJOJPKEKGKHKIKMKNKPKRKWKYKZLALBLCLILKLRLSLTLULVLYMAMCMDMEMFMGMHMKMLMMMNMOMPMQMRMSMTMUMVMWMXMYMZNANCNE"
    "NFNGNINLNONPNRNUNZOMPAPEPFPGPHPKPLPMPNPRPSPTPWPYQARERORSRURWSASBSCSDSESGSHSISJSKSLSMSNSOSRSSSTSVSXSYSZTCTDTF"
    "TGTHTJTKTLTMTNTOTRTTTVTWTZUAUGUMUSUYUZVAVCVEVGVIVNVUWFWSYEYTZAZMZW";

/// Calling codes; `trunk0` says that national numbers are written with a
/// leading 0 that the international form drops (FR 06.., GB 07..).
constexpr CallingCode kCalling[] = {
    // European Union
    {"AT", 43, true}, {"BE", 32, true}, {"BG", 359, true}, {"HR", 385, true}, {"CY", 357, false},
    {"CZ", 420, false}, {"DK", 45, false}, {"EE", 372, false}, {"FI", 358, true}, {"FR", 33, true},
    {"DE", 49, true}, {"GR", 30, false}, {"HU", 36, false}, {"IE", 353, true}, {"IT", 39, false},
    {"LV", 371, false}, {"LT", 370, false}, {"LU", 352, false}, {"MT", 356, false}, {"NL", 31, true},
    {"PL", 48, false}, {"PT", 351, false}, {"RO", 40, true}, {"SK", 421, true}, {"SI", 386, true},
    {"ES", 34, false}, {"SE", 46, true},
    // Rest of Europe
    {"GB", 44, true}, {"CH", 41, true}, {"NO", 47, false}, {"IS", 354, false}, {"AD", 376, false},
    {"MC", 377, false}, {"SM", 378, false}, {"LI", 423, false}, {"GI", 350, false}, {"UA", 380, true},
    {"RS", 381, true}, {"TR", 90, true}, {"RU", 7, false}, {"AL", 355, true}, {"BA", 387, true},
    {"ME", 382, true}, {"MK", 389, true}, {"MD", 373, true}, {"BY", 375, false}, {"VA", 39, false},
    // Americas (1: the North American Numbering Plan)
    {"US", 1, false}, {"CA", 1, false}, {"PR", 1, false}, {"DO", 1, false}, {"JM", 1, false},
    {"MX", 52, false}, {"GT", 502, false}, {"BZ", 501, false}, {"SV", 503, false}, {"HN", 504, false},
    {"NI", 505, false}, {"CR", 506, false}, {"PA", 507, false}, {"CU", 53, true}, {"HT", 509, false},
    {"AR", 54, true}, {"BO", 591, false}, {"BR", 55, true}, {"CL", 56, false}, {"CO", 57, false},
    {"EC", 593, true}, {"PY", 595, true}, {"PE", 51, true}, {"UY", 598, true}, {"VE", 58, true},
    {"GY", 592, false}, {"SR", 597, false},
    // Africa, Asia, Oceania
    {"MA", 212, true}, {"DZ", 213, true}, {"TN", 216, false}, {"EG", 20, true}, {"ZA", 27, true},
    {"NG", 234, true}, {"KE", 254, true}, {"GQ", 240, false}, {"IL", 972, true}, {"AE", 971, true},
    {"SA", 966, true}, {"IN", 91, true}, {"CN", 86, true}, {"JP", 81, true}, {"KR", 82, true},
    {"AU", 61, true}, {"NZ", 64, true}, {"PH", 63, true}, {"ID", 62, true}, {"TH", 66, true},
    {"VN", 84, true}, {"MY", 60, true}, {"SG", 65, false}, {"HK", 852, false}, {"TW", 886, true},
    {"PK", 92, true},
};

/// Country names (header_key form: lower case, no accents or spaces).
constexpr std::pair<std::string_view, std::string_view> kNames[] = {
    {"spain", "ES"}, {"espana", "ES"}, {"mexico", "MX"}, {"unitedstates", "US"}, {"unitedstatesofamerica", "US"},
    {"usa", "US"}, {"estadosunidos", "US"}, {"eeuu", "US"}, {"argentina", "AR"}, {"colombia", "CO"},
    {"chile", "CL"}, {"peru", "PE"}, {"venezuela", "VE"}, {"ecuador", "EC"}, {"uruguay", "UY"},
    {"paraguay", "PY"}, {"bolivia", "BO"}, {"costarica", "CR"}, {"panama", "PA"}, {"guatemala", "GT"},
    {"honduras", "HN"}, {"elsalvador", "SV"}, {"nicaragua", "NI"}, {"cuba", "CU"},
    {"dominicanrepublic", "DO"}, {"republicadominicana", "DO"}, {"puertorico", "PR"}, {"brazil", "BR"},
    {"brasil", "BR"}, {"canada", "CA"}, {"unitedkingdom", "GB"}, {"reinounido", "GB"}, {"greatbritain", "GB"},
    {"granbretana", "GB"}, {"france", "FR"}, {"francia", "FR"}, {"germany", "DE"}, {"alemania", "DE"},
    {"italy", "IT"}, {"italia", "IT"}, {"portugal", "PT"}, {"netherlands", "NL"}, {"paisesbajos", "NL"},
    {"holanda", "NL"}, {"belgium", "BE"}, {"belgica", "BE"}, {"switzerland", "CH"}, {"suiza", "CH"},
    {"austria", "AT"}, {"ireland", "IE"}, {"irlanda", "IE"}, {"sweden", "SE"}, {"suecia", "SE"},
    {"norway", "NO"}, {"noruega", "NO"}, {"denmark", "DK"}, {"dinamarca", "DK"}, {"finland", "FI"},
    {"finlandia", "FI"}, {"poland", "PL"}, {"polonia", "PL"}, {"greece", "GR"}, {"grecia", "GR"},
    {"andorra", "AD"}, {"morocco", "MA"}, {"marruecos", "MA"}, {"china", "CN"}, {"japan", "JP"},
    {"japon", "JP"}, {"india", "IN"}, {"australia", "AU"}, {"russia", "RU"}, {"rusia", "RU"},
    {"equatorialguinea", "GQ"}, {"guineaecuatorial", "GQ"},
};

}  // namespace

bool is_country_code(std::string_view alpha2) noexcept {
  if (alpha2.size() != 2) return false;
  for (std::size_t i = 0; i < kCodes.size(); i += 2)
    if (kCodes.substr(i, 2) == alpha2) return true;
  return false;
}

std::optional<int> country_calling_code(std::string_view alpha2) noexcept {
  const CallingCode* c = detail::find_calling_code(alpha2);
  if (c == nullptr) return std::nullopt;
  return c->code;
}

namespace detail {

const CallingCode* find_calling_code(std::string_view alpha2) noexcept {
  for (const auto& c : kCalling)
    if (c.alpha2 == alpha2) return &c;
  return nullptr;
}

std::optional<std::string_view> country_code_for_name(std::string_view key) noexcept {
  for (const auto& [name, code] : kNames)
    if (name == key) return code;
  return std::nullopt;
}

std::size_t country_code_count() noexcept { return kCodes.size() / 2; }

}  // namespace detail

}  // namespace promptsales::crm
