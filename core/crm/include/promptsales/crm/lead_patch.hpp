#pragma once
/// A lead change as the API receives it (PATCH /api/v1/leads/{id}), checked
/// with the import's field rules. No I/O.

#include <string>
#include <string_view>

#include "promptsales/crm/lead_store.hpp"

namespace promptsales::crm {

/// Parses a JSON object with any of: status, name, phone, city, interests
/// (an array of text), consents ({"email","sms","phone": booleans,
/// "givenAt": ISO-8601}). Values are normalised like `lead import` does
/// (phone to E.164: national numbers need `default_country`). Throws
/// ValidationError naming the field for malformed JSON, an unknown or
/// read-only field (email), a null, a wrong type or a value the rules
/// refuse, and for an empty change.
LeadUpdate parse_lead_patch(std::string_view body, const std::string& default_country = {});

}  // namespace promptsales::crm
