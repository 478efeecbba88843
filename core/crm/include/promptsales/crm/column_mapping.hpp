#pragma once
/// Which source column (CSV header, JSON key) feeds which lead field.
///
/// Header names match case-, accent-, space-, hyphen- and
/// underscore-insensitively against English and Spanish names ("E-mail",
/// "Correo electrónico", "Teléfono móvil", "País", ...). `--map
/// "Header=field,..."` overrides or adds matches; the target `ignore`
/// drops a column.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace promptsales::crm {

/// The lead fields a column can feed. first_name and last_name are joined
/// into the name.
enum class LeadField {
  email,
  name,
  first_name,
  last_name,
  phone,
  source,
  country,
  city,
  interests,
  birth_date,
  age,
  consent_email,
  consent_sms,
  consent_phone,
  consent_given_at,
  status,
  campaign_id,
};
inline constexpr std::size_t kLeadFieldCount = 17;

std::string_view to_string(LeadField f) noexcept;  ///< "email", "first_name", ...
/// A --map target: the field names above (also without underscores).
std::optional<LeadField> lead_field_from_string(std::string_view s);
/// The field a header name means when nothing says otherwise.
std::optional<LeadField> field_for_header(std::string_view header);
/// Lower case, accents folded, spaces, '_', '-', '.' removed: the form
/// header names are compared in ("Correo Electrónico" -> "correoelectronico").
std::string header_key(std::string_view header);

/// One `Header=field` pair from --map; field nullopt means `ignore`.
struct MapOverride {
  std::string header;
  std::optional<LeadField> field;
};

/// Parses --map values ("Correo=email,Tel=phone", repeatable). Throws
/// ValidationError (field "--map") for a malformed pair or an unknown field.
std::vector<MapOverride> parse_map_option(const std::vector<std::string>& specs);

struct ColumnMapping {
  std::vector<std::string> headers;                ///< as in the file
  std::vector<std::optional<LeadField>> fields;    ///< per column
  std::vector<std::string> unmapped;               ///< headers feeding nothing (for the summary)
  /// The column feeding `f`, if any.
  std::optional<std::size_t> column_of(LeadField f) const;
};

/// Maps a header row. Explicit overrides first, then automatic names; when
/// two columns would feed one field the first wins and the other is
/// listed as unmapped. Throws ImportFileError: unknown_map_header (a --map
/// header not in the file), duplicate_map_target (two --map entries for one
/// field), missing_email_column (no email column; the message lists the
/// headers seen).
ColumnMapping map_columns(const std::vector<std::string>& headers, const std::vector<MapOverride>& overrides);

}  // namespace promptsales::crm
